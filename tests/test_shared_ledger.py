"""The shared ledger in PostgreSQL (issue 25, item 1): `--db postgresql://…` works for every command, against a
real server (tests/postgres.py), with output identical to the same commands on an SQLite ledger."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import psycopg
import pytest
from greencli import api
from greencli.adapters.ledger import NEWEST, Ledger, PostgresUrl, schema
from greencli.adapters.ledger.postgres import ROLLUP_LOCK, WRITE_LOCK, to_postgres
from greencli.cli.app import app
from typer.testing import CliRunner

from tests.district import ROOT, SampleDistrict

runner = CliRunner()
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.csv")
# What differs between two runs whatever the backend: when, and where the outputs went.
VOLATILE = re.compile(
    r'"(scored_at|seen_at|stored_at|recorded_at|voided_at|written_at|db|out|duration_seconds)": ("[^"]*"|[0-9.]+)'
)


DISTRICT = "130302"  # 秦皇岛市海港区's code: the district these tests work on in a shared ledger


@pytest.fixture(autouse=True)
def one_district(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENCLI_DISTRICT", DISTRICT)


def cli(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "120", "GREENCLI_ROSTER": ""})


MINUTE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")  # a time in a message (记录 #5 已于 … 作废)


def same(text: str, folder: Path, db: str) -> str:
    masked = MINUTE.sub("<time>", text.replace(str(folder), "<folder>").replace(db, "<ledger>"))
    return VOLATILE.sub(r'"\1": "…"', masked)


def document_text(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]


def every_command(db: str, folder: Path) -> dict[str, Any]:
    """The sample district's three years through every command that reads or writes the ledger; what each prints
    (JSON, with what differs between any two runs masked) and the documents it writes."""
    folder.mkdir()
    seen: dict[str, Any] = {}

    def run(name: str, *args: str | Path, codes: tuple[int, ...] = (0, 1)) -> None:
        result = cli(*args, "--db", db, "--json")
        assert result.exit_code in codes, (name, result.output)
        seen[name] = (result.exit_code, same(result.stdout, folder, db))

    run("score 2021", "score", SAMPLES / "inspections" / "2021", "--roster", ROSTER, "--out", folder / "2021.xlsx")
    run("score 2022", "score", SAMPLES / "inspections" / "2022", "--out", folder / "2022.xlsx")
    run("score 2022 again", "score", SAMPLES / "inspections" / "2022", "--out", folder / "2022.xlsx")
    run("rollup 2023", "rollup", "--inbox", SAMPLES / "inspections" / "2023", "--year", "2023", "--out",
        folder / "2023.xlsx")  # fmt: skip
    run("rollup 2023 unchanged", "rollup", "--inbox", SAMPLES / "inspections" / "2023", "--year", "2023", "--out",
        folder / "2023.xlsx")  # fmt: skip
    run("confer", "confer", "ZJ-01", "zj-02", "--year", "2021", "--date", "2021-12-20", "--doc", "秦创绿〔2021〕1号")
    run("confer again", "confer", "zj-01", "--year", "2021", "--date", "2021-12-21", "--doc", "秦创绿〔2021〕2号")
    run("void", "void", "#5", "--reason", "社区编码填错")
    run("void again", "void", "5", "--reason", "再次", codes=(2,))
    run("rescore preview", "rescore", "--year", "2022", "--version", "2021.1")
    run("rescore apply", "rescore", "--year", "2022", "--version", "2021.1", "--apply")
    for year in ("2021", "2022", "2023"):
        run(f"progress {year}", "progress", "--year", year)
        run(f"export {year}", "export", "--year", year, "--out", folder / f"export{year}.xlsx")
        run(f"roster {year}", "roster", "show", "--year", year)
        for kind in ("通报", "认定名单", "撤销名单"):
            out = folder / f"{kind}{year}.docx"
            run(f"notice {kind} {year}", "notice", "--year", year, "--kind", kind, "--out", out)
            seen[f"{kind} {year} text"] = document_text(out)
    for code in ("ZJ-01", "zj-02", "BH-01", "NOPE"):
        run(f"history {code}", "history", code, codes=(0, 2))
    with api.open_ledger(db) as ledger:
        for number in (2021, 2022, 2023):
            frames = {"evaluations": ledger.evaluations(number), "items": ledger.item_scores(number)}
            for name, frame in frames.items():
                masked = frame.drop(columns=[c for c in frame.columns if c in ("评分时间", "文件")])
                seen[f"api {name} {number}"] = masked.astype(str).values.tolist()
    return seen


def test_every_command_prints_the_same_on_postgresql_as_on_sqlite(postgres_url: str, tmp_path: Path) -> None:
    on_sqlite = every_command(str(tmp_path / "sqlite" / "l.db"), tmp_path / "sqlite-out")
    on_postgres = every_command(postgres_url, tmp_path / "postgres-out")
    assert on_postgres.keys() == on_sqlite.keys()
    for name, shown in on_sqlite.items():
        assert on_postgres[name] == shown, name
    history = json.loads(on_postgres["history ZJ-01"][1])
    assert [e["id"] for e in history["evaluations"]]  # record numbers shown, and equal on both
    assert json.loads(on_postgres["rollup 2023 unchanged"][1])["recorded"] == 0


def test_the_schema_is_created_once_in_its_own_schema_and_read_as_it_is(postgres_url: str) -> None:
    at = PostgresUrl(postgres_url, DISTRICT)
    with Ledger.open(at) as ledger:
        assert ledger.schema_version() == NEWEST and ledger.postgres
    with psycopg.connect(postgres_url) as admin:
        tables = {r[0] for r in admin.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'greencli'")}
        versions = [r[0] for r in admin.execute("SELECT version FROM greencli.schema_migrations ORDER BY 1")]
    assert {"evaluations", "files", "outputs", "invalid_submissions", "conferrals", "rosters"} <= tables
    assert versions == list(range(1, NEWEST + 1))
    with Ledger.open(at, create=False, write=False) as reader:  # a second opening migrates nothing
        assert reader.schema_version() == NEWEST


def test_two_writers_creating_the_schema_at_once_both_succeed(postgres_url: str) -> None:
    code = (
        "import sys\nfrom greencli.adapters.ledger import Ledger, PostgresUrl\n"
        "with Ledger.open(PostgresUrl(sys.argv[1], '130302')) as ledger:\n    print(ledger.schema_version())"
    )
    runs = [subprocess.Popen([sys.executable, "-c", code, postgres_url], stdout=subprocess.PIPE, text=True)
            for _ in range(4)]  # fmt: skip
    outputs = [r.communicate(timeout=60)[0].strip() for r in runs]
    assert [r.returncode for r in runs] == [0, 0, 0, 0] and outputs == [str(NEWEST)] * 4


def test_what_cannot_be_used_is_said_in_chinese_and_changes_nothing(postgres_server: Any, tmp_path: Path) -> None:
    empty = postgres_server.new_database()
    missing = cli("progress", "--year", "2022", "--roster", ROSTER, "--db", empty, "--json")
    assert missing.exit_code == 2 and json.loads(missing.stdout)["error"]["code"] == "ledger-missing"
    refused = cli("history", "ZJ-01", "--db", postgres_server.url("no_such_database"), "--json")
    assert refused.exit_code == 2 and json.loads(refused.stdout)["error"]["code"] == "ledger-unopenable"
    assert "数据库或用户不存在" in json.loads(refused.stdout)["error"]["message"]
    closed = cli("history", "ZJ-01", "--db", "postgresql://someone:secret@127.0.0.1:1/x", "--json")
    message = json.loads(closed.stdout)["error"]["message"]
    assert closed.exit_code == 2 and "连接被拒绝" in message and "secret" not in message and "***" in message
    foreign = postgres_server.new_database()
    with psycopg.connect(foreign, autocommit=True) as admin:
        admin.execute("CREATE SCHEMA greencli")
        admin.execute("CREATE TABLE greencli.evaluations (x integer)")
    written = cli("score", SAMPLES / "inspections" / "2021", "--db", foreign, "--out", tmp_path / "x.xlsx", "--json")
    assert written.exit_code == 2 and json.loads(written.stdout)["error"]["code"] == "ledger-foreign"
    with psycopg.connect(foreign) as admin:
        assert admin.execute("SELECT count(*) FROM greencli.evaluations").fetchone() == (0,)
    assert not (tmp_path / "x.xlsx").exists()


def test_a_reader_never_upgrades_an_older_shared_ledger(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as older:  # the schema as a greencli of one migration fewer left it
        older.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:-1])
        older.setattr(schema, "NEWEST", NEWEST - 1)
        older.setattr(schema, "_district", lambda *_: "")  # districts came with the last migration
        with Ledger.open(PostgresUrl(postgres_url, DISTRICT)) as ledger:
            assert ledger.schema_version() == NEWEST - 1
    old = cli("history", "ZJ-01", "--db", postgres_url, "--json")
    assert old.exit_code == 2 and json.loads(old.stdout)["error"]["code"] == "ledger-needs-upgrade"
    with psycopg.connect(postgres_url) as admin:
        assert admin.execute("SELECT max(version) FROM greencli.schema_migrations").fetchone() == (NEWEST - 1,)
    with Ledger.open(PostgresUrl(postgres_url, DISTRICT)) as writer:  # a writer upgrades it
        assert writer.schema_version() == NEWEST


def test_a_writer_waits_for_another_then_gives_up_having_changed_nothing(postgres_url: str, tmp_path: Path) -> None:
    with Ledger.open(PostgresUrl(postgres_url, DISTRICT)):
        pass
    with psycopg.connect(postgres_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (WRITE_LOCK + DISTRICT,))  # mid-commit
        busy = cli("score", SAMPLES / "inspections" / "2021", "--roster", ROSTER, "--db", postgres_url, "--out",
                   tmp_path / "s.xlsx", "--wait", "0.5", "--json")  # fmt: skip
        assert busy.exit_code == 3, busy.output
        assert json.loads(busy.stdout)["error"]["code"] == "ledger-busy"
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (ROLLUP_LOCK + DISTRICT,))  # a rollup
        second = cli("rollup", "--inbox", SAMPLES / "inspections" / "2021", "--db", postgres_url, "--out",
                     tmp_path / "r.xlsx", "--json")  # fmt: skip
        assert second.exit_code == 3 and json.loads(second.stdout)["error"]["code"] == "lock-busy"
    with psycopg.connect(postgres_url) as admin:
        assert admin.execute("SELECT count(*) FROM greencli.evaluations").fetchone() == (0,)
    assert not (tmp_path / "s.xlsx").exists()
    free = cli("score", SAMPLES / "inspections" / "2021", "--roster", ROSTER, "--db", postgres_url, "--out",
               tmp_path / "s.xlsx", "--json")  # fmt: skip
    assert free.exit_code == 1 and json.loads(free.stdout)["recorded"] > 0


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("SELECT 1 FROM t WHERE a = ? AND b = ?", "SELECT 1 FROM t WHERE a = %s AND b = %s"),
        ("SELECT '?' , ? FROM t", "SELECT '?' , %s FROM t"),  # a ? inside a literal is text
        ("SELECT 5 % 2, '%' FROM t WHERE x = ?", "SELECT 5 %% 2, '%%' FROM t WHERE x = %s"),
        ('SELECT "a?b" FROM t', 'SELECT "a?b" FROM t'),
    ],
)
def test_parameters_in_postgresql_form(sqlite: str, postgres: str) -> None:
    assert to_postgres(sqlite) == postgres


def test_a_percent_sign_reaches_the_server_as_written(postgres_url: str) -> None:
    from greencli.adapters.ledger.postgres import connect

    db = connect(postgres_url, 5)
    try:
        assert db.execute("SELECT '50%', 7 % 4").fetchone() == ("50%", 3)
        assert db.execute("SELECT '50%' || ?", ("?",)).fetchone() == ("50%?",)
    finally:
        db.close()


def test_a_url_keeps_its_slashes_and_hides_its_password() -> None:
    shown = str(PostgresUrl("postgresql://office:pa55@db.example:5432/greencli?sslmode=require"))
    assert shown == "postgresql://office:***@db.example:5432/greencli?sslmode=require"
    from greencli.adapters.ledger import ledger_at

    assert ledger_at("postgres://x@h/d") == PostgresUrl("postgres://x@h/d", DISTRICT)  # from GREENCLI_DISTRICT
    assert ledger_at("postgres://x@h/d", " 130303 ") == PostgresUrl("postgres://x@h/d", "130303")
    assert ledger_at("本区/greencli.db") == Path("本区/greencli.db")


def progress_json(db: str, year: str, *extra: str) -> Any:
    result = cli("progress", "--year", year, "--db", db, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_copying_an_office_ledger_in_gives_what_the_file_gave_and_a_second_copy_adds_nothing(
    sample_district: SampleDistrict, postgres_url: str, tmp_path: Path
) -> None:
    source = sample_district.copy_ledger(tmp_path)
    first = cli("ledger", "copy", "--from", source, "--to", postgres_url, "--district", DISTRICT, "--json")
    assert first.exit_code == 0, first.output
    tables = json.loads(first.stdout)["tables"]
    assert tables["evaluations"]["added"] > 80 and tables["evaluations"]["already"] == 0
    assert tables["rosters"]["added"] == 3 and tables["invalid_submissions"]["added"] > 0
    for year in ("2021", "2022", "2023"):
        assert progress_json(postgres_url, year) == progress_json(str(source), year), year
    for code in ("ZJ-01", "BH-02"):
        on_file, shared = (
            cli("history", code, "--db", source, "--json"),
            cli("history", code, "--db", postgres_url, "--json"),
        )
        ids = re.compile(r'"(id|scored_at|seen_at|current_record|superseded_by)": [^,\n]*')
        assert ids.sub("", shared.stdout) == ids.sub("", on_file.stdout), code
    again = cli("ledger", "copy", "--from", source, "--to", postgres_url, "--district", DISTRICT, "--json")
    assert all(t["added"] == 0 for t in json.loads(again.stdout)["tables"].values())
    with psycopg.connect(postgres_url) as admin:
        assert admin.execute("SELECT count(DISTINCT district) FROM greencli.evaluations").fetchone() == (1,)
    refused = cli("ledger", "copy", "--from", postgres_url, "--to", postgres_url, "--json")
    assert refused.exit_code == 2 and json.loads(refused.stdout)["error"]["code"] == "copy-from-shared"
    refused = cli("ledger", "copy", "--from", source, "--to", tmp_path / "other.db", "--json")
    assert refused.exit_code == 2 and json.loads(refused.stdout)["error"]["code"] == "copy-to-not-shared"


def test_two_districts_in_one_ledger_each_see_their_own(
    sample_district: SampleDistrict, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GREENCLI_DISTRICT")
    new = cli("score", SAMPLES / "inspections" / "2021", "--db", postgres_url, "--out", tmp_path / "x.xlsx", "--json")
    assert new.exit_code == 2 and json.loads(new.stdout)["error"]["code"] == "district-needed"
    source = sample_district.copy_ledger(tmp_path)
    for district in ("130302", "130303"):  # the same communities, codes and files in two districts
        done = cli("ledger", "copy", "--from", source, "--to", postgres_url, "--district", district, "--json")
        assert done.exit_code == 0, done.output
    ambiguous = cli("progress", "--year", "2022", "--db", postgres_url, "--json")
    error = json.loads(ambiguous.stdout)["error"]
    assert ambiguous.exit_code == 2 and error["code"] == "district-ambiguous"
    assert "130302" in error["message"] and "130303" in error["message"]
    unknown = cli("progress", "--year", "2022", "--db", postgres_url, "--district", "130399", "--json")
    assert unknown.exit_code == 2 and json.loads(unknown.stdout)["error"]["code"] == "district-unknown"
    # a void in one district leaves the other's record as it was
    history = json.loads(cli("history", "ZJ-01", "--db", postgres_url, "--district", "130303", "--json").stdout)
    record = history["evaluations"][0]["id"]
    voided = cli("void", str(record), "--reason", "录错", "--db", postgres_url, "--district", "130303", "--json")
    assert voided.exit_code == 0, voided.output
    elsewhere = cli("void", str(record), "--reason", "录错", "--db", postgres_url, "--district", "130302", "--json")
    assert elsewhere.exit_code == 2 and json.loads(elsewhere.stdout)["error"]["code"] == "record-missing"
    kept = progress_json(postgres_url, "2021", "--district", "130302")
    assert kept == progress_json(str(source), "2021")
    changed = progress_json(postgres_url, "2021", "--district", "130303")
    assert changed != kept
    # the city: both side by side, each against its own roster, and the total
    city = cli("progress", "--year", "2022", "--city", "--db", postgres_url, "--json")
    assert city.exit_code == 0, city.output
    doc = json.loads(city.stdout)
    one = progress_json(str(source), "2022")["district"]
    assert [(d["district"], d["urban"], d["holders"], d["gap"]) for d in doc["districts"]] == [
        ("130302", one["urban"], one["holders"], one["gap"]), ("130303", one["urban"], one["holders"], one["gap"])]  # fmt: skip
    assert doc["city"] == {"urban": 2 * one["urban"], "holders": 2 * one["holders"], "rate": one["rate"]}
    table = runner.invoke(app, ["progress", "--year", "2022", "--city", "--db", postgres_url], env={"COLUMNS": "80"})
    assert table.exit_code == 0 and "全市" in table.stdout
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    on_file = cli("progress", "--year", "2022", "--city", "--db", source, "--json")
    assert on_file.exit_code == 2 and json.loads(on_file.stdout)["error"]["code"] == "city-needs-shared"
    mixed = cli("progress", "--year", "2022", "--city", "--roster", ROSTER, "--db", postgres_url, "--json")
    assert mixed.exit_code == 2 and json.loads(mixed.stdout)["error"]["code"] == "city-options"


def test_rollups_of_two_districts_run_at_once(postgres_url: str, tmp_path: Path) -> None:
    for district in ("130302", "130303"):
        first = cli("score", SAMPLES / "inspections" / "2021", "--roster", ROSTER, "--db", postgres_url,
                    "--district", district, "--out", tmp_path / f"{district}.xlsx", "--json")  # fmt: skip
        assert first.exit_code == 1, first.output
    with psycopg.connect(postgres_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (ROLLUP_LOCK + "130302",))
        inbox = SAMPLES / "inspections" / "2022"
        other = cli("rollup", "--inbox", inbox, "--db", postgres_url, "--district", "130303", "--out",
                    tmp_path / "b.xlsx", "--json")  # fmt: skip
        assert other.exit_code in (0, 1), other.output
        held = cli("rollup", "--inbox", inbox, "--db", postgres_url, "--district", "130302", "--out",
                   tmp_path / "a.xlsx", "--json")  # fmt: skip
        assert held.exit_code == 3 and json.loads(held.stdout)["error"]["code"] == "lock-busy"


ROLES_SQL = """
CREATE ROLE {a} LOGIN;
CREATE ROLE {b} LOGIN;
CREATE ROLE {city} LOGIN;
GRANT USAGE ON SCHEMA greencli TO {a}, {b}, {city};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA greencli TO {a}, {b};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA greencli TO {a}, {b};
GRANT SELECT ON ALL TABLES IN SCHEMA greencli TO {city};
INSERT INTO greencli.district_roles VALUES ('{a}', '130302'), ('{b}', '130303'), ('{city}', '*');
"""


def test_a_district_role_reads_and_writes_only_its_district_and_the_city_reads_all(
    sample_district: SampleDistrict, postgres_server: Any, postgres_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The README's SQL for the roles, run as the database's owner after the offices were copied in."""
    monkeypatch.delenv("GREENCLI_DISTRICT")
    source = sample_district.copy_ledger(tmp_path)
    for district in ("130302", "130303"):
        assert cli("ledger", "copy", "--from", source, "--to", postgres_url, "--district", district).exit_code == 0
    suffix = postgres_url.rsplit("_", 1)[-1]  # roles are the server's, not the database's: one set per test
    names = {"a": f"haigang_{suffix}", "b": f"beidaihe_{suffix}", "city": f"city_{suffix}"}
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        for statement in ROLES_SQL.format(**names).strip().split(";\n"):
            owner.execute(statement.rstrip(";"))
    database = postgres_url.rsplit("/", 1)[-1]
    a, city = (postgres_server.url(database, names[k]) for k in ("a", "city"))
    # through greencli: the role's own district is its only one; another's is unknown to it
    own = cli("progress", "--year", "2022", "--db", a, "--json")
    assert own.exit_code == 0 and json.loads(own.stdout) == json.loads(
        cli("progress", "--year", "2022", "--db", source, "--json").stdout
    )
    other = cli("progress", "--year", "2022", "--db", a, "--district", "130303", "--json")
    assert other.exit_code == 2 and json.loads(other.stdout)["error"]["code"] == "district-unknown"
    seen = json.loads(cli("progress", "--year", "2022", "--city", "--db", a, "--json").stdout)
    assert [d["district"] for d in seen["districts"]] == ["130302"]
    everyone = json.loads(cli("progress", "--year", "2022", "--city", "--db", city, "--json").stdout)
    assert [d["district"] for d in everyone["districts"]] == ["130302", "130303"]
    written = cli("score", SAMPLES / "inspections" / "2023", "--db", a, "--district", "130303", "--out",
                  tmp_path / "x.xlsx", "--json")  # fmt: skip
    assert written.exit_code == 2 and "无权写入" in json.loads(written.stdout)["error"]["message"]
    named = cli("confer", "ZJ-01", "--year", "2021", "--date", "2021-12-20", "--doc", "X", "--db", city,
                "--district", "130302", "--json")  # fmt: skip
    assert named.exit_code == 2 and "没有权限" in json.loads(named.stdout)["error"]["message"]
    # and beneath greencli, in SQL: nothing of the other district can be read, changed or added
    with psycopg.connect(a, autocommit=True) as role:
        role.execute("SET search_path TO greencli")
        assert role.execute("SELECT count(*) FROM evaluations WHERE district = '130303'").fetchone() == (0,)
        assert role.execute("UPDATE evaluations SET total = '100' WHERE district = '130303'").rowcount == 0
        assert role.execute("DELETE FROM invalid_submissions WHERE district = '130303'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            role.execute("INSERT INTO conferrals (district, community_id, year, conferred_on, document, recorded_at)"
                         " VALUES ('130303', 'ZJ-01', 2021, '2021-12-20', 'X', 'now')")  # fmt: skip
        assert (
            role.execute("SELECT count(*) FROM evaluations").fetchone()
            == role.execute("SELECT count(*) FROM evaluations WHERE district = '130302'").fetchone()
        )
    with psycopg.connect(postgres_url) as owner:
        counts = owner.execute("SELECT district, count(*) FROM greencli.evaluations GROUP BY 1 ORDER BY 1").fetchall()
    assert counts[0][1] == counts[1][1]  # the other district's rows untouched


def test_the_shared_ledger_named_by_the_environment(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREENCLI_DB", postgres_url)
    monkeypatch.chdir(tmp_path)
    done = cli("score", SAMPLES / "inspections" / "2021", "--roster", ROSTER, "--out", tmp_path / "a.xlsx", "--json")
    assert done.exit_code == 1 and json.loads(done.stdout)["recorded"] > 0
    assert not (tmp_path / "greencli.db").exists()  # nothing went to a file
    shown = json.loads(cli("roster", "show", "--json").stdout)["rosters"]
    assert [r["year"] for r in shown] == [2021]
