{#- Models land in the schema named in dbt_project.yml (staging, intermediate, marts, raw), not
    <target>_<name>: an analyst looks for marts.foi_release, whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
