"""What ``collectdesk team init`` installs on PostgreSQL so the database itself enforces the roles.

Group roles ``collectdesk_collector`` and ``collectdesk_supervisor`` (a supervisor is also a
collector); grants; row-level security on calls and promises; triggers that set the who-columns
from the login (``session_user``), keep the activity log append-only and keep assignment and
agency referral to supervisors; and SECURITY DEFINER functions through which supervisors add,
re-role and disable users (the only way to write ``users``). Every statement can run again: a
second ``team init`` after an upgrade brings grants and policies up to date.
"""

from __future__ import annotations

COLLECTOR_GROUP = "collectdesk_collector"
SUPERVISOR_GROUP = "collectdesk_supervisor"
GROUPS = {"collector": COLLECTOR_GROUP, "supervisor": SUPERVISOR_GROUP}
DENIED = "42501"  # insufficient_privilege

# Tables a collector's desk writes as it works (derived data is kept by triggers running as them).
COLLECTOR_WRITES = {
    "calls": "INSERT, UPDATE",
    "promises": "INSERT, UPDATE",
    "promise_invoices": "INSERT",
    "activity": "INSERT",
    "customers": "UPDATE",
    "contacts": "UPDATE",
    "invoices": "UPDATE",
    "worklist_scores": "INSERT, UPDATE, DELETE",
    "worklist_dirty": "INSERT, UPDATE, DELETE",
    "worklist_state": "INSERT, UPDATE, DELETE",
    "invoice_totals": "INSERT, UPDATE, DELETE",
    # Every desk runs the upkeep after its first paint and notes when it found nothing to do.
    "upkeep_state": "INSERT, UPDATE",
    # What a desk may do for the customer on the phone: pause reminders, stop emails, and the
    # messages (and their claims) a desk sends after a call.
    "pauses": "INSERT, UPDATE, DELETE",
    "email_opt_outs": "INSERT, UPDATE, DELETE",
    "messages": "INSERT, UPDATE",
    "message_claims": "INSERT, UPDATE, DELETE",
}
# Who-columns set from the login on every insert, and kept on every update.
WHO_COLUMNS = {"calls": "user_id", "promises": "taken_by_id", "activity": "user_id"}
# The terms of a promise only its taker (or a supervisor) may change; upkeep judges the rest.
PROMISE_TERMS = ("customer_id", "call_id", "amount", "currency", "promised_on", "broken_on", "method", "plan_id")

_ROLES = f"""
DO $$ BEGIN
  IF to_regrole('{COLLECTOR_GROUP}') IS NULL THEN CREATE ROLE {COLLECTOR_GROUP} NOLOGIN; END IF;
  IF to_regrole('{SUPERVISOR_GROUP}') IS NULL THEN CREATE ROLE {SUPERVISOR_GROUP} NOLOGIN; END IF;
END $$
"""

_HELPERS = [
    # The collectdesk user of this login; NULL for a login that is not an active user.
    "CREATE OR REPLACE FUNCTION collectdesk_me() RETURNS integer LANGUAGE sql STABLE "
    "SET search_path = public, pg_temp AS $$ SELECT id FROM users WHERE name = session_user AND active $$",
    "CREATE OR REPLACE FUNCTION collectdesk_is_supervisor() RETURNS boolean LANGUAGE sql STABLE AS "
    f"$$ SELECT pg_has_role(session_user, '{SUPERVISOR_GROUP}', 'MEMBER') $$",
    "CREATE OR REPLACE FUNCTION collectdesk_is_superuser() RETURNS boolean LANGUAGE sql STABLE AS "
    "$$ SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false) $$",
    # Who-columns come from the login, whatever the client sent (TG_ARGV[0] names the column).
    f"""CREATE OR REPLACE FUNCTION collectdesk_set_who() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE uid integer := collectdesk_me();
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RETURN jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], to_jsonb(OLD) -> TG_ARGV[0]));
  END IF;
  IF uid IS NULL THEN
    IF collectdesk_is_superuser() THEN RETURN NEW; END IF;
    RAISE EXCEPTION 'permission denied: % is not an active collectdesk user on this database', session_user
      USING ERRCODE = '{DENIED}', HINT = 'a supervisor adds users with: collectdesk users add NAME';
  END IF;
  RETURN jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], uid));
END $$""",
    f"""CREATE OR REPLACE FUNCTION collectdesk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'permission denied: the activity log is append-only (entry % stays as it is); '
    'record a correction as a new entry instead', OLD.id USING ERRCODE = '{DENIED}';
END $$""",
    f"""CREATE OR REPLACE FUNCTION collectdesk_guard_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF collectdesk_is_supervisor() THEN RETURN NEW; END IF;
  IF NEW.collector_id IS DISTINCT FROM OLD.collector_id THEN
    RAISE EXCEPTION 'permission denied: only a supervisor assigns accounts (collectdesk assign)'
      USING ERRCODE = '{DENIED}';
  END IF;
  IF NEW.stage IS DISTINCT FROM OLD.stage AND 'agency' IN (NEW.stage, OLD.stage) THEN
    RAISE EXCEPTION 'permission denied: only a supervisor refers an account to an agency or recalls it'
      USING ERRCODE = '{DENIED}';
  END IF;
  RETURN NEW;
END $$""",
    f"""CREATE OR REPLACE FUNCTION collectdesk_guard_promise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF collectdesk_is_supervisor() OR OLD.taken_by_id = collectdesk_me() THEN RETURN NEW; END IF;
  IF ({" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in PROMISE_TERMS)}) THEN
    RAISE EXCEPTION 'permission denied: promise % was taken by someone else; only they or a supervisor '
      'may change its terms', OLD.id USING ERRCODE = '{DENIED}';
  END IF;
  RETURN NEW;
END $$""",
]

# Supervisors manage users only through these; EXECUTE is granted to supervisors alone, so a
# collector calling one is refused by PostgreSQL itself ("permission denied for function").
_USER_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION collectdesk_check_login(p_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_name !~ '^[a-z][a-z0-9_]{{0,62}}$' THEN
    RAISE EXCEPTION 'invalid user name %: use lower-case letters, digits and _, starting with a letter', p_name
      USING ERRCODE = '22023';
  END IF;
  IF p_name LIKE 'collectdesk\\_%' OR p_name LIKE 'pg\\_%'
     OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name AND (rolsuper OR rolcreaterole)) THEN
    RAISE EXCEPTION 'permission denied: % is a database administrator role, not a desk login', p_name
      USING ERRCODE = '{DENIED}';
  END IF;
END $$""",
    f"""CREATE OR REPLACE FUNCTION collectdesk_add_user(p_name text, p_role text, p_verifier text, p_at timestamp)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE uid integer;
BEGIN
  PERFORM collectdesk_check_login(p_name);
  IF p_role NOT IN ('collector', 'supervisor') THEN
    RAISE EXCEPTION 'role must be collector or supervisor, not %', p_role USING ERRCODE = '22023';
  END IF;
  IF to_regrole(p_name) IS NULL THEN
    IF p_verifier IS NULL THEN
      RAISE EXCEPTION '% needs a first password', p_name USING ERRCODE = '22023';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_name, p_verifier);
  ELSE
    EXECUTE format('ALTER ROLE %I LOGIN', p_name);
    IF p_verifier IS NOT NULL THEN EXECUTE format('ALTER ROLE %I PASSWORD %L', p_name, p_verifier); END IF;
  END IF;
  EXECUTE format('REVOKE {COLLECTOR_GROUP}, {SUPERVISOR_GROUP} FROM %I', p_name);
  EXECUTE format('GRANT %I TO %I', 'collectdesk_' || p_role, p_name);
  INSERT INTO users (name, role, created_at, active) VALUES (p_name, p_role, p_at, true)
    ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, active = true RETURNING id INTO uid;
  INSERT INTO activity (at, kind, summary, details)
    VALUES (p_at, 'user', format('%s added as %s by %s', p_name, p_role, session_user),
            json_build_object('user', p_name, 'role', p_role));
  RETURN uid;
END $$""",
    f"""CREATE OR REPLACE FUNCTION collectdesk_set_role(p_name text, p_role text, p_at timestamp)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM collectdesk_check_login(p_name);
  IF p_role NOT IN ('collector', 'supervisor') THEN
    RAISE EXCEPTION 'role must be collector or supervisor, not %', p_role USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM users WHERE name = p_name) OR to_regrole(p_name) IS NULL THEN
    RAISE EXCEPTION 'there is no user %: add them with collectdesk users add', p_name USING ERRCODE = '22023';
  END IF;
  EXECUTE format('REVOKE {COLLECTOR_GROUP}, {SUPERVISOR_GROUP} FROM %I', p_name);
  EXECUTE format('GRANT %I TO %I', 'collectdesk_' || p_role, p_name);
  UPDATE users SET role = p_role WHERE name = p_name;
  INSERT INTO activity (at, kind, summary, details)
    VALUES (p_at, 'user', format('%s is now a %s (set by %s)', p_name, p_role, session_user),
            json_build_object('user', p_name, 'role', p_role));
END $$""",
    f"""CREATE OR REPLACE FUNCTION collectdesk_disable_user(p_name text, p_at timestamp)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM collectdesk_check_login(p_name);
  IF p_name = session_user THEN
    RAISE EXCEPTION 'you cannot disable yourself: ask another supervisor' USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM users WHERE name = p_name) THEN
    RAISE EXCEPTION 'there is no user %', p_name USING ERRCODE = '22023';
  END IF;
  IF to_regrole(p_name) IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_name);
    EXECUTE format('REVOKE {COLLECTOR_GROUP}, {SUPERVISOR_GROUP} FROM %I', p_name);
  END IF;
  UPDATE users SET active = false WHERE name = p_name;
  INSERT INTO activity (at, kind, summary, details)
    VALUES (p_at, 'user', format('%s disabled by %s', p_name, session_user), json_build_object('user', p_name));
END $$""",
]
USER_FUNCTION_SIGNATURES = (
    "collectdesk_add_user(text, text, text, timestamp)",
    "collectdesk_set_role(text, text, timestamp)",
    "collectdesk_disable_user(text, timestamp)",
)


def _policies() -> list[str]:
    statements: list[str] = []
    for table in ("calls", "promises"):
        who = WHO_COLUMNS[table]
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {table}_read ON {table}",
            f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (true)",
            f"DROP POLICY IF EXISTS {table}_insert ON {table}",
            f"CREATE POLICY {table}_insert ON {table} FOR INSERT WITH CHECK ({who} = collectdesk_me())",
        ]
    # A collector's own calls only (a supervisor releases calls left open); promises are judged
    # by whichever desk runs upkeep, their terms guarded by trigger.
    statements += [
        "DROP POLICY IF EXISTS calls_update ON calls",
        "CREATE POLICY calls_update ON calls FOR UPDATE "
        "USING (user_id = collectdesk_me() OR collectdesk_is_supervisor())",
        "DROP POLICY IF EXISTS promises_update ON promises",
        "CREATE POLICY promises_update ON promises FOR UPDATE USING (true)",
    ]
    return statements


def _triggers() -> list[str]:
    statements: list[str] = []
    for table, column in WHO_COLUMNS.items():
        statements += [
            f"DROP TRIGGER IF EXISTS trg_{table}_who ON {table}",
            f"CREATE TRIGGER trg_{table}_who BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION collectdesk_set_who('{column}')",
        ]
    statements += [
        "DROP TRIGGER IF EXISTS trg_activity_append_only ON activity",
        "CREATE TRIGGER trg_activity_append_only BEFORE UPDATE OR DELETE ON activity "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_append_only()",
        "DROP TRIGGER IF EXISTS trg_customers_guard ON customers",
        "CREATE TRIGGER trg_customers_guard BEFORE UPDATE OF collector_id, stage ON customers "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_guard_customer()",
        "DROP TRIGGER IF EXISTS trg_promises_guard ON promises",
        "CREATE TRIGGER trg_promises_guard BEFORE UPDATE ON promises "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_guard_promise()",
    ]
    return statements


def _grants(owner: str) -> list[str]:
    c, s = COLLECTOR_GROUP, SUPERVISOR_GROUP
    statements = [
        f"GRANT {c} TO {s}",
        f'GRANT {s} TO "{owner}"',
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {c}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {c}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {c}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM {c}, {s}",
        *[f"GRANT {privileges} ON {table} TO {c}" for table, privileges in COLLECTOR_WRITES.items()],
        # Supervisors import, assign, cover and refer: everything but the users table and
        # changing the activity log.
        f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {s}",
        f"REVOKE INSERT, UPDATE, DELETE ON users, alembic_version FROM {s}",
        f"REVOKE UPDATE, DELETE ON activity FROM {s}",
        # Tables a later upgrade adds are readable by the team straight away.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {c}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {c}",
    ]
    for signature in USER_FUNCTION_SIGNATURES:
        statements += [
            f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {signature} TO {s}",
        ]
    return statements


def team_ddl(owner: str) -> list[str]:
    """Every statement of ``team init``, in order, for a database owned by ``owner``."""
    return [_ROLES, *_HELPERS, *_USER_FUNCTIONS, *_policies(), *_triggers(), *_grants(owner)]
