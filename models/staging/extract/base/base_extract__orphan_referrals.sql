{{ orphan_rows('referrals') }}
