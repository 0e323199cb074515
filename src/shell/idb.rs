//! IndexedDB as the durable outbox: every accepted event is written here and
//! deleted only once the endpoint acknowledged it.
//!
//! Records are `{id, o, lease, body, bytes}` keyed by event id, ordered by `o`
//! (arrival). A tab that sends records first leases them (`lease` = until when)
//! in one readwrite transaction; IndexedDB runs readwrite transactions on a
//! store one at a time across tabs, so two tabs never claim the same record.
//! The store is bounded (count and bytes): past the bound the oldest records
//! are evicted and counted in the `meta` record.

use js_sys::{Object, Promise, Reflect};
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbCursorWithValue, IdbDatabase, IdbObjectStore, IdbRequest, IdbTransactionMode};

pub const DB_NAME: &str = "telemetry-agent";
const DB_VERSION: u32 = 1;
const EVENTS: &str = "events";
const META: &str = "meta";
const META_KEY: &str = "m";
const ORDER: &str = "order";

static SEQ: super::global::Global<Cell<f64>> = super::global::Global::new(Cell::new(0.0));

/// Completes when the request succeeds (with its result) or fails. The
/// promise's own functions are the handlers: no closure is made for them, and
/// a cursor's later events find a settled promise, not a dropped closure.
async fn done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await?;
    req.result()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

fn num(v: &JsValue, k: &str) -> f64 {
    get(v, k).as_f64().unwrap_or(0.0)
}

/// The store's counters, kept in one record updated in the same transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Meta {
    pub count: f64,
    pub bytes: f64,
    pub evicted: f64,
}

impl Meta {
    fn read(v: &JsValue) -> Meta {
        if v.is_object() {
            Meta { count: num(v, "count"), bytes: num(v, "bytes"), evicted: num(v, "evicted") }
        } else {
            Meta::default()
        }
    }

    fn to_js(self) -> JsValue {
        let o = Object::new();
        let _ = Reflect::set(&o, &"count".into(), &self.count.into());
        let _ = Reflect::set(&o, &"bytes".into(), &self.bytes.into());
        let _ = Reflect::set(&o, &"evicted".into(), &self.evicted.into());
        o.into()
    }
}

#[derive(Clone)]
pub struct Store {
    db: IdbDatabase,
    pub max_count: f64,
    pub max_bytes: f64,
}

fn stores(db: &IdbDatabase, mode: IdbTransactionMode) -> Option<(IdbObjectStore, IdbObjectStore)> {
    stores_tx(db, mode).map(|(e, m, _)| (e, m))
}

fn stores_tx(db: &IdbDatabase, mode: IdbTransactionMode) -> Option<(IdbObjectStore, IdbObjectStore, web_sys::IdbTransaction)> {
    let names = js_sys::Array::of2(&EVENTS.into(), &META.into());
    let tx = db.transaction_with_str_sequence_and_mode(&names, mode).ok()?;
    Some((tx.object_store(EVENTS).ok()?, tx.object_store(META).ok()?, tx))
}

/// Completes when the transaction has committed (an error when it failed or
/// aborted), with the promise's own functions as the handlers.
async fn committed(tx: &web_sys::IdbTransaction) -> Result<(), JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    JsFuture::from(promise).await.map(|_| ())
}

impl Store {
    /// Opens (and on first use creates) the database; `None` where IndexedDB
    /// is missing or refused (the agent then keeps events in memory only).
    pub async fn open(max_count: u32, max_bytes: u32) -> Option<Store> {
        let factory = web_sys::window()?.indexed_db().ok()??;
        let req = factory.open_with_u32(DB_NAME, DB_VERSION).ok()?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(|ev: web_sys::Event| {
            let Some(req) = ev.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()) else { return };
            let Ok(db) = req.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else { return };
            let params = web_sys::IdbObjectStoreParameters::new();
            params.set_key_path(&JsValue::from_str("id"));
            if let Ok(events) = db.create_object_store_with_optional_parameters(EVENTS, &params) {
                let _ = events.create_index_with_str(ORDER, "o");
            }
            let _ = db.create_object_store(META);
        });
        req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let result = done(&req).await;
        drop(upgrade);
        let db: IdbDatabase = result.ok()?.dyn_into().ok()?;
        Some(Store { db, max_count: max_count as f64, max_bytes: max_bytes as f64 })
    }

    /// Writes events (id, JSON) leased until `lease`; evicts the oldest past
    /// the bound. Returns how many records were evicted.
    pub async fn put(&self, records: &[(String, String)], lease: f64) -> Result<(u32, Meta), JsValue> {
        let (events, meta, tx) = stores_tx(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        // Every record is put synchronously, before the first await: called
        // while the page is being left, the writes are queued at once.
        let mut added = 0.0;
        for (id, body) in records {
            let bytes = body.len() as f64;
            added += bytes;
            let rec = Object::new();
            let order = SEQ.with(|s| {
                let next = (js_sys::Date::now() * 1000.0).max(s.get() + 1.0);
                s.set(next);
                next
            });
            let _ = Reflect::set(&rec, &"id".into(), &JsValue::from_str(id));
            let _ = Reflect::set(&rec, &"o".into(), &order.into());
            let _ = Reflect::set(&rec, &"lease".into(), &lease.into());
            let _ = Reflect::set(&rec, &"body".into(), &JsValue::from_str(body));
            let _ = Reflect::set(&rec, &"bytes".into(), &bytes.into());
            events.put(&rec)?;
        }
        // The count is read back (exact, whatever other tabs did); bytes are
        // kept as a running total.
        let mut m = Meta::read(&done(&meta.get(&META_KEY.into())?).await?);
        m.count = done(&events.count()?).await?.as_f64().unwrap_or(m.count);
        m.bytes += added;
        let mut evicted = 0u32;
        if m.count > self.max_count || m.bytes > self.max_bytes {
            let req = events.index(ORDER)?.open_cursor()?;
            loop {
                let cursor = done(&req).await?;
                let Ok(cursor) = cursor.dyn_into::<IdbCursorWithValue>() else { break };
                if m.count <= self.max_count && m.bytes <= self.max_bytes {
                    break;
                }
                let value = cursor.value()?;
                cursor.delete()?;
                m.count -= 1.0;
                m.bytes -= num(&value, "bytes");
                m.evicted += 1.0;
                evicted += 1;
                cursor.continue_()?;
            }
        }
        meta.put_with_key(&m.to_js(), &META_KEY.into())?;
        committed(&tx).await?;
        Ok((evicted, m))
    }

    /// Writes records that may already be stored (a spill of the last page):
    /// existing ids are left as they are.
    pub async fn put_replacing(&self, records: &[(String, String)], lease: f64) -> Result<(), JsValue> {
        let mut fresh = Vec::new();
        {
            let (events, _) = stores(&self.db, IdbTransactionMode::Readonly).ok_or("no transaction")?;
            for (id, body) in records {
                let existing = done(&events.get(&JsValue::from_str(id))?).await?;
                if !existing.is_object() {
                    fresh.push((id.clone(), body.clone()));
                }
            }
        }
        if !fresh.is_empty() {
            self.put(&fresh, lease).await?;
        }
        Ok(())
    }

    /// Leases the oldest records whose lease has expired, up to `max_count`
    /// records and `max_bytes` of bodies (at least one), until `lease`.
    pub async fn claim(&self, now: f64, lease: f64, max_count: usize, max_bytes: usize) -> Result<Vec<(String, String)>, JsValue> {
        let (events, _) = stores(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        let req = events.index(ORDER)?.open_cursor()?;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        loop {
            let cursor = done(&req).await?;
            let Ok(cursor) = cursor.dyn_into::<IdbCursorWithValue>() else { break };
            let value = cursor.value()?;
            if num(&value, "lease") <= now {
                let body = get(&value, "body").as_string().unwrap_or_default();
                if !out.is_empty() && bytes + body.len() > max_bytes {
                    break;
                }
                bytes += body.len();
                let _ = Reflect::set(&value, &"lease".into(), &lease.into());
                cursor.update(&value)?;
                out.push((get(&value, "id").as_string().unwrap_or_default(), body));
                if out.len() >= max_count {
                    break;
                }
            }
            cursor.continue_()?;
        }
        Ok(out)
    }

    /// Deletes acknowledged (or rejected) records.
    pub async fn delete(&self, ids: &[String]) -> Result<Meta, JsValue> {
        let (events, meta) = stores(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        let mut m = Meta::read(&done(&meta.get(&META_KEY.into())?).await?);
        for id in ids {
            let key = JsValue::from_str(id);
            let existing = done(&events.get(&key)?).await?;
            if existing.is_object() {
                events.delete(&key)?;
                m.bytes -= num(&existing, "bytes");
            }
        }
        m.count = done(&events.count()?).await?.as_f64().unwrap_or(0.0);
        m.bytes = m.bytes.max(0.0);
        done(&meta.put_with_key(&m.to_js(), &META_KEY.into())?).await?;
        Ok(m)
    }

    pub fn close(&self) {
        self.db.close();
    }

    /// Makes records claimable again at `lease` (after a failed attempt).
    pub async fn release(&self, ids: &[String], lease: f64) -> Result<(), JsValue> {
        let (events, _) = stores(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        for id in ids {
            let existing = done(&events.get(&JsValue::from_str(id))?).await?;
            if existing.is_object() {
                let _ = Reflect::set(&existing, &"lease".into(), &lease.into());
                events.put(&existing)?;
            }
        }
        Ok(())
    }

    pub async fn meta(&self) -> Result<Meta, JsValue> {
        let (_, meta) = stores(&self.db, IdbTransactionMode::Readonly).ok_or("no transaction")?;
        Ok(Meta::read(&done(&meta.get(&META_KEY.into())?).await?))
    }

    /// Erases every stored event and counter (consent withdrawn).
    pub async fn clear(&self) -> Result<(), JsValue> {
        let (events, meta) = stores(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        events.clear()?;
        done(&meta.clear()?).await?;
        Ok(())
    }
}

/// Deletes the whole database (revoke, forget), also when it was never opened here.
pub fn delete_database() {
    if let Some(factory) = web_sys::window().and_then(|w| w.indexed_db().ok().flatten()) {
        let _ = factory.delete_database(DB_NAME);
    }
}
