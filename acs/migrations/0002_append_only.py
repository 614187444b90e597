"""Make case notes and case events append-only in the database: UPDATE and DELETE raise."""

from django.db import migrations

TABLES = ("acs_casenote", "acs_caseevent")

FUNCTION = """
CREATE OR REPLACE FUNCTION acs_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

FORBID = FUNCTION + "".join(
    f"""
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION acs_forbid_change();
"""
    for table in TABLES
)

ALLOW = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in TABLES)
    + "DROP FUNCTION IF EXISTS acs_forbid_change();\n"
)


class Migration(migrations.Migration):
    dependencies = [("acs", "0001_initial")]
    operations = [migrations.RunSQL(FORBID, ALLOW)]
