//! SQLite storage: one row per event id, written before the endpoint answers.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::path::Path;
use telemetry_agent::core::model::Event;

pub struct Store {
    conn: Connection,
}

/// What storing a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StoreOutcome {
    pub accepted: usize,
    pub duplicates: usize,
}

/// Filters of `GET /v1/events`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub session: Option<String>,
    /// Event timestamps at or after this (ms since the epoch).
    pub since: Option<u64>,
    pub limit: Option<u32>,
}

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 10_000;

impl Store {
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS events (
               seq         INTEGER PRIMARY KEY AUTOINCREMENT,
               id          TEXT NOT NULL UNIQUE,
               kind        TEXT NOT NULL,
               name        TEXT NOT NULL,
               session_id  TEXT,
               user_id     TEXT,
               timestamp   INTEGER NOT NULL,
               received_at INTEGER NOT NULL,
               body        TEXT NOT NULL
             );
             CREATE INDEX IF NOT EXISTS events_session ON events(session_id);
             CREATE INDEX IF NOT EXISTS events_kind_name ON events(kind, name);
             CREATE TABLE IF NOT EXISTS otlp_logs (
               seq         INTEGER PRIMARY KEY AUTOINCREMENT,
               event_id    TEXT NOT NULL UNIQUE,
               name        TEXT NOT NULL,
               received_at INTEGER NOT NULL,
               record      TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS counters (
               name  TEXT PRIMARY KEY,
               value INTEGER NOT NULL
             );",
        )?;
        Ok(Store { conn })
    }

    /// Stores the events in one transaction; an id seen before is counted, not stored.
    pub fn insert(&mut self, events: &[Event], received_at: u64) -> rusqlite::Result<StoreOutcome> {
        let tx = self.conn.transaction()?;
        let mut accepted = 0;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO events (id, kind, name, session_id, user_id, timestamp, received_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for e in events {
                let body = serde_json::to_string(e).expect("a validated event serialises");
                accepted += stmt.execute(params![
                    e.id(),
                    e.kind(),
                    e.name(),
                    e.session_id(),
                    e.user_id(),
                    e.timestamp() as i64,
                    received_at as i64,
                    body
                ])?;
            }
        }
        let duplicates = events.len() - accepted;
        if duplicates > 0 {
            bump(&tx, "duplicates", duplicates as i64)?;
        }
        bump(&tx, "batches", 1)?;
        tx.commit()?;
        Ok(StoreOutcome { accepted, duplicates })
    }

    /// Stores OTLP log records by event id; a repeat is counted, not stored.
    pub fn insert_otlp(&mut self, records: &[crate::otlp::StoredRecord], received_at: u64) -> rusqlite::Result<StoreOutcome> {
        let tx = self.conn.transaction()?;
        let mut accepted = 0;
        {
            let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO otlp_logs (event_id, name, received_at, record) VALUES (?1, ?2, ?3, ?4)")?;
            for r in records {
                accepted += stmt.execute(params![r.event_id, r.name, received_at as i64, r.record])?;
            }
        }
        let duplicates = records.len() - accepted;
        if duplicates > 0 {
            bump(&tx, "duplicates", duplicates as i64)?;
        }
        tx.commit()?;
        Ok(StoreOutcome { accepted, duplicates })
    }

    /// Stored OTLP log records in arrival order.
    pub fn otlp_logs(&self) -> rusqlite::Result<Vec<serde_json::Value>> {
        let mut stmt = self.conn.prepare("SELECT event_id, name, record FROM otlp_logs ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            let record: String = r.get(2)?;
            Ok(serde_json::json!({
                "eventId": r.get::<_, String>(0)?,
                "name": r.get::<_, String>(1)?,
                "record": serde_json::from_str::<serde_json::Value>(&record).unwrap_or_default(),
            }))
        })?;
        rows.collect()
    }

    pub fn count_fault(&mut self) -> rusqlite::Result<()> {
        bump(&self.conn, "faults", 1)
    }

    pub fn count_rejected(&mut self, n: usize) -> rusqlite::Result<()> {
        bump(&self.conn, "rejected", n as i64)
    }

    pub fn counter(&self, name: &str) -> rusqlite::Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    pub fn event_count(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
    }

    /// Stored events in arrival order, each with `receivedAt` added.
    pub fn query(&self, f: &EventFilter) -> rusqlite::Result<Vec<serde_json::Value>> {
        let mut sql = String::from("SELECT body, received_at FROM events WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(k) = &f.kind {
            sql.push_str(" AND kind = ?");
            args.push(k.clone().into());
        }
        if let Some(n) = &f.name {
            sql.push_str(" AND name = ?");
            args.push(n.clone().into());
        }
        if let Some(s) = &f.session {
            sql.push_str(" AND session_id = ?");
            args.push(s.clone().into());
        }
        if let Some(t) = f.since {
            sql.push_str(" AND timestamp >= ?");
            args.push((t as i64).into());
        }
        sql.push_str(" ORDER BY seq LIMIT ?");
        args.push((f.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as i64).into());
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| {
            let body: String = r.get(0)?;
            let received: i64 = r.get(1)?;
            Ok((body, received))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (body, received) = row?;
            let mut v: serde_json::Value = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("receivedAt".into(), received.into());
            }
            out.push(v);
        }
        Ok(out)
    }
}

impl Store {
    /// Deletes every event whose user id or session id is one of `subjects`.
    pub fn erase(&mut self, subjects: &[String]) -> rusqlite::Result<usize> {
        let tx = self.conn.transaction()?;
        let mut deleted = 0;
        {
            let mut stmt = tx.prepare_cached("DELETE FROM events WHERE user_id = ?1 OR session_id = ?1")?;
            for s in subjects {
                deleted += stmt.execute([s])?;
            }
        }
        bump(&tx, "erased", deleted as i64)?;
        tx.commit()?;
        Ok(deleted)
    }

    /// Every stored event of a subject (user id or session id), for export.
    pub fn subject(&self, id: &str) -> rusqlite::Result<Vec<serde_json::Value>> {
        let mut stmt = self.conn.prepare("SELECT body FROM events WHERE user_id = ?1 OR session_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([id], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for body in rows {
            out.push(serde_json::from_str(&body?).unwrap_or(serde_json::Value::Null));
        }
        Ok(out)
    }
}

fn bump(conn: &Connection, name: &str, by: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?1, ?2)
         ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
        params![name, by],
    )?;
    Ok(())
}
