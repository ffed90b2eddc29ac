//! The tables of the sender database. There is deliberately no column anywhere for a child's
//! name or birthdate: after sending, the sender keeps only the signal id, the school and the
//! times and the signal's receipt key (random bytes that check the receipt's proof of opening)
//! until the receipt arrives, then the bare signal id for 30 days (to recognise a
//! repeated receipt), and then only counts: in total, and per school, month and kind for the
//! evaluation (`tally`, kept for the months the office sets).

/// Bumped when the tables change.
pub const SCHEMA_VERSION: i64 = 7;

/// Version 1 to 2: the `settled` table.
pub const MIGRATE_1_TO_2: &str = "
CREATE TABLE settled (
    signal_id   TEXT    PRIMARY KEY,
    settled_at  INTEGER NOT NULL
);
";

/// Version 2 to 3: office key rotation. `devices.previous_key` marks devices verified under an
/// earlier office key (they trust only that key: nothing is sealed to them, their receipts are
/// still checked); `successor` holds the new key between `key rotate` and the relay's consent.
pub const MIGRATE_2_TO_3: &str = "
ALTER TABLE devices ADD COLUMN previous_key INTEGER NOT NULL DEFAULT 0 CHECK (previous_key IN (0, 1));
CREATE TABLE successor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    secret_key  BLOB    NOT NULL CHECK (length(secret_key) = 32),
    created_at  INTEGER NOT NULL
);
";

/// Version 3 to 4: each outstanding signal keeps its receipt key, to check that a receipt's
/// proof shows the signal was opened. Rows from before have none; their receipts prove nothing.
/// Receipts without that proof are counted.
pub const MIGRATE_3_TO_4: &str = "
ALTER TABLE outstanding ADD COLUMN receipt_key BLOB CHECK (receipt_key IS NULL OR length(receipt_key) = 16);
ALTER TABLE counts ADD COLUMN unproven INTEGER NOT NULL DEFAULT 0;
";

/// Version 4 to 5: the school calendar. Each school's holiday region (`NULL` until the office
/// sets it: then a day counts as a school day only where it is one in every region), the
/// school's own closed and open days and phone number, the office's settings (what to do with
/// a signal that would wait through a zomervakantie; when the morning's list of signals not yet
/// handed over is due), and for a signal the relay holds through a holiday the
/// moment it starts delivering it (`outstanding.deliver_from`).
///
/// Each part is added only where it is missing, so this also completes a version-5 database
/// written before its last parts existed (the office opens a version-5 file through it too).
pub fn complete_5(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    add_column(
        conn,
        "schools",
        "region",
        "TEXT CHECK (region IS NULL OR region IN ('noord', 'midden', 'zuid', 'eigen'))",
    )?;
    add_column(conn, "schools", "phone", "TEXT CHECK (phone IS NULL OR length(phone) <= 24)")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS settings (
             id          INTEGER PRIMARY KEY CHECK (id = 1),
             summer_rule TEXT    NOT NULL CHECK (summer_rule IN ('warn', 'refuse'))
         );
         INSERT OR IGNORE INTO settings (id, summer_rule) VALUES (1, 'warn');",
    )?;
    add_column(conn, "settings", "escalation_at", "TEXT NOT NULL DEFAULT '08:30' CHECK (length(escalation_at) = 5)")?;
    add_column(conn, "outstanding", "deliver_from", "INTEGER")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS school_days (
             brin        TEXT    NOT NULL REFERENCES schools(brin),
             day         TEXT    NOT NULL CHECK (length(day) = 10),
             open        INTEGER NOT NULL CHECK (open IN (0, 1)),
             PRIMARY KEY (brin, day)
         );",
    )
}

/// Version 5 to 6: the counts for the evaluation, and the school profile. Per school, per month of sending and per kind
/// (sent, handed over, not our pupil, expired, without proof, not forwarded), and for sent and
/// handed-over signals how soon after the incident's hour (`within`: `24h`, `48h`, `72h`,
/// `later`, or `unknown` when no incident hour was entered; empty for the other kinds). The
/// incident's hour waits beside the outstanding signal (`outstanding.incident_at`) until it is
/// settled. `settings.counts_keep_months`: how many months the tally is kept. The profile each
/// school's devices show: `settings.sender` (the sender's name; `NULL`: "leerplicht") and `schools.sector`
/// (`NULL`: unknown, the words of a primary school).
///
/// Idempotent, like [`complete_5`], so an interrupted upgrade resumes.
pub fn complete_6(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    add_column(conn, "outstanding", "incident_at", "INTEGER")?;
    add_column(
        conn,
        "settings",
        "counts_keep_months",
        "INTEGER NOT NULL DEFAULT 24 CHECK (counts_keep_months BETWEEN 1 AND 120)",
    )?;
    add_column(conn, "settings", "sender", "TEXT CHECK (sender IS NULL OR length(sender) <= 240)")?;
    add_column(conn, "schools", "sector", "TEXT CHECK (sector IS NULL OR sector IN ('po', 'so', 'vo', 'mbo'))")?;
    let tally_is_new = !table_exists(conn, "tally")?;
    conn.execute_batch(CREATE_TALLY)?;
    if tally_is_new {
        count_outstanding_as_sent(conn)?;
    }
    Ok(())
}

/// Signals sent before the tally existed are counted when they settle (handed over, expired);
/// their sending is counted here, once, when the tally is made, in the month each was sent, the
/// incident's hour unknown. Otherwise a month could show more handed over than sent.
fn count_outstanding_as_sent(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use super::tally::{bump, month_of, TallyKind};
    let mut stmt = conn.prepare("SELECT brin, sent_at FROM outstanding")?;
    let sent: Vec<(String, i64)> =
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for (brin, sent_at) in sent {
        // The column holds only checked codes; a row that does not is left uncounted.
        if let Ok(school) = brin.parse() {
            bump(conn, school, &month_of(sent_at), TallyKind::Sent, None, 1)?;
        }
    }
    Ok(())
}

fn table_exists(conn: &rusqlite::Connection, table: &str) -> rusqlite::Result<bool> {
    let n: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| r.get(0))?;
    Ok(n > 0)
}

/// The evaluation's counts (see [`complete_6`]).
const CREATE_TALLY: &str = "
CREATE TABLE IF NOT EXISTS tally (
    brin        TEXT    NOT NULL CHECK (length(brin) BETWEEN 4 AND 6),
    month       TEXT    NOT NULL CHECK (length(month) = 7),
    counted     TEXT    NOT NULL CHECK (counted IN ('sent', 'handed_over', 'not_our_pupil', 'expired', 'unproven', 'not_forwarded')),
    within      TEXT    NOT NULL CHECK (within IN ('', '24h', '48h', '72h', 'later', 'unknown')),
    count       INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (brin, month, counted, within)
);
";

/// Version 6 to 7: a school's locations (*vestigingen*: number and the name the office knows it by, `label`) and which of them each
/// device serves (`device_locations`; a device without rows serves the whole school). Removing a
/// device or a location removes its rows here too.
pub fn complete_7(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS locations (
             brin        TEXT    NOT NULL REFERENCES schools(brin),
             number      TEXT    NOT NULL CHECK (length(number) = 2),
             label       TEXT    CHECK (label IS NULL OR length(label) <= 240),
             PRIMARY KEY (brin, number)
         );
         CREATE TABLE IF NOT EXISTS device_locations (
             device_id   TEXT    NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
             brin        TEXT    NOT NULL,
             number      TEXT    NOT NULL,
             PRIMARY KEY (device_id, number),
             FOREIGN KEY (brin, number) REFERENCES locations(brin, number) ON DELETE CASCADE
         );",
    )
}

/// Creates every table of a new database (run once, by `init`).
pub fn create(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(CREATE)?;
    complete_6(conn)?;
    complete_7(conn)
}

/// Adds `column` to `table` unless it is there.
fn add_column(conn: &rusqlite::Connection, table: &str, column: &str, declaration: &str) -> rusqlite::Result<()> {
    let present: i64 =
        conn.query_row("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", [table, column], |row| {
            row.get(0)
        })?;
    if present == 0 {
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {declaration}"))?;
    }
    Ok(())
}

/// The tables up to version 5; [`create`] adds versions 6 and 7.
const CREATE: &str = "
CREATE TABLE office (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    secret_key  BLOB    NOT NULL CHECK (length(secret_key) = 32),
    relay_url   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE schools (
    brin        TEXT    PRIMARY KEY,
    added_at    INTEGER NOT NULL,
    region      TEXT    CHECK (region IS NULL OR region IN ('noord', 'midden', 'zuid', 'eigen')),
    phone       TEXT    CHECK (phone IS NULL OR length(phone) <= 24)
);
CREATE TABLE settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    summer_rule TEXT    NOT NULL CHECK (summer_rule IN ('warn', 'refuse')),
    escalation_at TEXT  NOT NULL DEFAULT '08:30' CHECK (length(escalation_at) = 5)
);
CREATE TABLE devices (
    device_id   TEXT    PRIMARY KEY,
    brin        TEXT    NOT NULL REFERENCES schools(brin),
    role        TEXT    NOT NULL CHECK (role IN ('director', 'backup')),
    sign_key    BLOB    NOT NULL CHECK (length(sign_key) = 32),
    seal_key    BLOB    NOT NULL CHECK (length(seal_key) = 32),
    verified_at INTEGER NOT NULL,
    previous_key INTEGER NOT NULL DEFAULT 0 CHECK (previous_key IN (0, 1))
);
CREATE TABLE successor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    secret_key  BLOB    NOT NULL CHECK (length(secret_key) = 32),
    created_at  INTEGER NOT NULL
);
CREATE TABLE outstanding (
    signal_id   TEXT    PRIMARY KEY,
    brin        TEXT    NOT NULL REFERENCES schools(brin),
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    receipt_key BLOB    CHECK (receipt_key IS NULL OR length(receipt_key) = 16),
    deliver_from INTEGER
);
CREATE TABLE school_days (
    brin        TEXT    NOT NULL REFERENCES schools(brin),
    day         TEXT    NOT NULL CHECK (length(day) = 10),
    open        INTEGER NOT NULL CHECK (open IN (0, 1)),
    PRIMARY KEY (brin, day)
);
CREATE TABLE settled (
    signal_id   TEXT    PRIMARY KEY,
    settled_at  INTEGER NOT NULL
);
CREATE TABLE receipts_cursor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    after       INTEGER NOT NULL
);
CREATE TABLE counts (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sent          INTEGER NOT NULL,
    handed_over   INTEGER NOT NULL,
    not_our_pupil INTEGER NOT NULL,
    expired       INTEGER NOT NULL,
    unproven      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO receipts_cursor (id, after) VALUES (1, 0);
INSERT INTO settings (id, summer_rule) VALUES (1, 'warn');
INSERT INTO counts (id, sent, handed_over, not_our_pupil, expired) VALUES (1, 0, 0, 0, 0);
";
