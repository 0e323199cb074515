//! IndexedDB as the durable outbox: every accepted event is written here and
//! deleted only once the endpoint acknowledged it.
//!
//! A record is a slice of events written together: `{id, o, lease, ids,
//! bodies, sizes, bytes}`, keyed by a slice id of its own, ordered by `o`
//! (arrival), and found by any of its event ids through the multi-entry index
//! `ids`. One request per slice, not per event: measured in Chromium, 250
//! `put`s of one event each took the page's main thread 100–360 µs per event,
//! one `put` of the 250 as one record 6–29 µs per event. Records of the first
//! version (one event each: `{id, o, lease, body, bytes}`, keyed by the event
//! id) are read as slices of one, and rewritten as slices when claimed.
//!
//! A tab that sends events first leases them (`lease` = until when) in one
//! readwrite transaction, splitting a slice where only part of it is taken;
//! IndexedDB runs readwrite transactions on a store one at a time across tabs,
//! so two tabs never claim the same event. The store is bounded (events and
//! bytes, counted in the `meta` record in the same transactions): past the
//! bound the oldest events are evicted and counted there.

use js_sys::{Array, Object, Promise, Reflect};
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbCursorWithValue, IdbDatabase, IdbObjectStore, IdbRequest, IdbTransactionMode};

pub const DB_NAME: &str = "telemetry-agent";
/// 2: events in slices, found by event id through the `ids` index.
const DB_VERSION: u32 = 2;
const EVENTS: &str = "events";
const META: &str = "meta";
const META_KEY: &str = "m";
const ORDER: &str = "order";
const IDS: &str = "ids";

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

/// One stored record read as a slice: its event ids, bodies and byte sizes
/// (JavaScript arrays, never copied into the module unless sent).
struct Slice {
    key: JsValue,
    o: f64,
    lease: f64,
    ids: Array,
    bodies: Array,
    sizes: Array,
}

impl Slice {
    fn read(rec: &JsValue) -> Slice {
        let ids = get(rec, "ids");
        let (ids, bodies, sizes) = if Array::is_array(&ids) {
            (ids.into(), get(rec, "bodies").into(), get(rec, "sizes").into())
        } else {
            // A record of the first version: one event, keyed by its id.
            (Array::of1(&get(rec, "id")), Array::of1(&get(rec, "body")), Array::of1(&get(rec, "bytes")))
        };
        Slice { key: get(rec, "id"), o: num(rec, "o"), lease: num(rec, "lease"), ids, bodies, sizes }
    }

    fn len(&self) -> u32 {
        self.ids.length()
    }

    fn size(&self, i: u32) -> f64 {
        self.sizes.get(i).as_f64().unwrap_or(0.0)
    }

    /// The record of the events at `keep` (in order), under `key` with `lease`.
    fn record(&self, key: &JsValue, lease: f64, keep: &[u32]) -> JsValue {
        let (ids, bodies, sizes) = (Array::new(), Array::new(), Array::new());
        let mut bytes = 0.0;
        for &i in keep {
            ids.push(&self.ids.get(i));
            bodies.push(&self.bodies.get(i));
            sizes.push(&self.sizes.get(i));
            bytes += self.size(i);
        }
        record(key, self.o, lease, &ids, &bodies, &sizes, bytes)
    }

    /// Writes back the events at `keep` with the slice's own key and lease,
    /// and those at `moved` (if any) as a slice of their own leased until `lease`.
    fn rewrite(&self, events: &IdbObjectStore, keep: &[u32], moved: &[u32], lease: f64) -> Result<(), JsValue> {
        if keep.is_empty() && moved.is_empty() {
            events.delete(&self.key)?;
            return Ok(());
        }
        if keep.is_empty() {
            events.put(&self.record(&self.key, lease, moved))?;
            return Ok(());
        }
        events.put(&self.record(&self.key, self.lease, keep))?;
        if !moved.is_empty() {
            events.put(&self.record(&JsValue::from_str(&crate::core::ids::new_id()), lease, moved))?;
        }
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn record(key: &JsValue, o: f64, lease: f64, ids: &Array, bodies: &Array, sizes: &Array, bytes: f64) -> JsValue {
    let rec = Object::new();
    let _ = Reflect::set(&rec, &"id".into(), key);
    let _ = Reflect::set(&rec, &"o".into(), &o.into());
    let _ = Reflect::set(&rec, &"lease".into(), &lease.into());
    let _ = Reflect::set(&rec, &"ids".into(), ids);
    let _ = Reflect::set(&rec, &"bodies".into(), bodies);
    let _ = Reflect::set(&rec, &"sizes".into(), sizes);
    let _ = Reflect::set(&rec, &"bytes".into(), &bytes.into());
    rec.into()
}

/// The record holding event `id`, or `undefined`. A record of the first
/// version is found once a claim has rewritten it as a slice; before that
/// only a spill of the same event could look for it, and the endpoint
/// de-duplicates what that writes twice.
async fn holding(events: &IdbObjectStore, id: &str) -> Result<JsValue, JsValue> {
    done(&events.index(IDS)?.get(&JsValue::from_str(id))?).await
}

/// Finds the slice of each of `ids` (each slice once) and takes those events
/// out of it: deleted (`lease` None) or leased until `lease` as a slice of
/// their own. Returns how many of them were found, and their bytes.
async fn each_slice(events: &IdbObjectStore, ids: &[String], lease: Option<f64>) -> Result<(f64, f64), JsValue> {
    let mut found = vec![false; ids.len()];
    let (mut n, mut bytes) = (0.0, 0.0);
    for at in 0..ids.len() {
        if found[at] {
            continue;
        }
        let rec = holding(events, &ids[at]).await?;
        found[at] = true;
        if !rec.is_object() {
            continue;
        }
        let slice = Slice::read(&rec);
        let (mut picked, mut kept) = (Vec::new(), Vec::new());
        for i in 0..slice.len() {
            match slice.ids.get(i).as_string().and_then(|id| ids.iter().position(|x| *x == id)) {
                Some(p) => {
                    found[p] = true;
                    n += 1.0;
                    bytes += slice.size(i);
                    picked.push(i);
                }
                None => kept.push(i),
            }
        }
        match lease {
            None => slice.rewrite(events, &kept, &[], 0.0)?,
            Some(l) => slice.rewrite(events, &kept, &picked, l)?,
        }
    }
    Ok((n, bytes))
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
            // A database of the first version has the store already: it gains the index.
            let events = match db.create_object_store_with_optional_parameters(EVENTS, &params) {
                Ok(events) => {
                    let _ = events.create_index_with_str(ORDER, "o");
                    Some(events)
                }
                Err(_) => req.transaction().and_then(|tx| tx.object_store(EVENTS).ok()),
            };
            if let Some(events) = events {
                let multi = web_sys::IdbIndexParameters::new();
                multi.set_multi_entry(true);
                let _ = events.create_index_with_str_and_optional_parameters(IDS, IDS, &multi);
            }
            let _ = db.create_object_store(META);
        });
        req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        // Blocked: a tab of an older version holds the database open and does
        // not close it for the upgrade. This page then keeps its events in
        // memory (and sends them from there) rather than wait for that tab.
        let result = JsFuture::from(Promise::new(&mut |resolve, reject| {
            req.set_onsuccess(Some(&resolve));
            req.set_onerror(Some(&reject.clone()));
            req.set_onblocked(Some(&reject));
        }))
        .await
        .and_then(|_| req.result());
        drop(upgrade);
        let db: IdbDatabase = result.ok()?.dyn_into().ok()?;
        // A newer version's tab asks to upgrade: this connection closes for it
        // (this page's later transactions fail, and it goes on from memory).
        let handle = db.clone();
        let close = Closure::<dyn FnMut()>::new(move || handle.close());
        db.set_onversionchange(Some(close.as_ref().unchecked_ref()));
        close.forget();
        Some(Store { db, max_count: max_count as f64, max_bytes: max_bytes as f64 })
    }

    /// Writes events (id, JSON) as one slice leased until `lease`; evicts the
    /// oldest events past the bound. Returns how many were evicted.
    pub async fn put(&self, records: &[(String, String)], lease: f64) -> Result<(u32, Meta), JsValue> {
        let (events, meta, tx) = stores_tx(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        // The slice is put synchronously, before the first await: called while
        // the page is being left, the write is queued at once.
        let (ids, bodies, sizes) = (Array::new(), Array::new(), Array::new());
        let mut added = 0.0;
        for (id, body) in records {
            let bytes = body.len() as f64;
            added += bytes;
            ids.push(&JsValue::from_str(id));
            bodies.push(&JsValue::from_str(body));
            sizes.push(&bytes.into());
        }
        if !records.is_empty() {
            let order = SEQ.with(|s| {
                let next = (js_sys::Date::now() * 1000.0).max(s.get() + 1.0);
                s.set(next);
                next
            });
            events.put(&record(&JsValue::from_str(&crate::core::ids::new_id()), order, lease, &ids, &bodies, &sizes, added))?;
        }
        let mut m = Meta::read(&done(&meta.get(&META_KEY.into())?).await?);
        m.count += records.len() as f64;
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
                // The oldest events of the oldest slice first.
                let slice = Slice::read(&cursor.value()?);
                let n = slice.len();
                let mut k = 0;
                while k < n && (m.count > self.max_count || m.bytes > self.max_bytes) {
                    m.count -= 1.0;
                    m.bytes -= slice.size(k);
                    k += 1;
                }
                m.evicted += k as f64;
                evicted += k;
                if k == n {
                    cursor.delete()?;
                } else {
                    cursor.update(&slice.record(&slice.key, slice.lease, &(k..n).collect::<Vec<_>>()))?;
                }
                cursor.continue_()?;
            }
        }
        m.count = m.count.max(0.0);
        m.bytes = m.bytes.max(0.0);
        meta.put_with_key(&m.to_js(), &META_KEY.into())?;
        committed(&tx).await?;
        Ok((evicted, m))
    }

    /// Writes events that may already be stored (a spill of the last page):
    /// ids stored already are left as they are.
    pub async fn put_replacing(&self, records: &[(String, String)], lease: f64) -> Result<(), JsValue> {
        let mut fresh = Vec::new();
        {
            let (events, _) = stores(&self.db, IdbTransactionMode::Readonly).ok_or("no transaction")?;
            for (id, body) in records {
                if !holding(&events, id).await?.is_object() {
                    fresh.push((id.clone(), body.clone()));
                }
            }
        }
        if !fresh.is_empty() {
            self.put(&fresh, lease).await?;
        }
        Ok(())
    }

    /// Leases the oldest events whose lease has expired, up to `max_count`
    /// events and `max_bytes` of bodies (at least one), until `lease`. A slice
    /// taken in part is split: the part taken becomes a slice of its own.
    pub async fn claim(&self, now: f64, lease: f64, max_count: usize, max_bytes: usize) -> Result<Vec<(String, String)>, JsValue> {
        let (events, _) = stores(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        let req = events.index(ORDER)?.open_cursor()?;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        loop {
            let cursor = done(&req).await?;
            let Ok(cursor) = cursor.dyn_into::<IdbCursorWithValue>() else { break };
            let slice = Slice::read(&cursor.value()?);
            let mut full = false;
            if slice.lease <= now {
                let n = slice.len();
                let mut k = 0;
                while k < n {
                    if out.len() >= max_count {
                        full = true;
                        break;
                    }
                    let body = slice.bodies.get(k).as_string().unwrap_or_default();
                    if !out.is_empty() && bytes + body.len() > max_bytes {
                        full = true;
                        break;
                    }
                    bytes += body.len();
                    out.push((slice.ids.get(k).as_string().unwrap_or_default(), body));
                    k += 1;
                }
                if k > 0 {
                    slice.rewrite(&events, &(k..n).collect::<Vec<_>>(), &(0..k).collect::<Vec<_>>(), lease)?;
                }
                full |= out.len() >= max_count;
            }
            if full {
                break;
            }
            cursor.continue_()?;
        }
        Ok(out)
    }

    /// Deletes acknowledged (or rejected) events.
    pub async fn delete(&self, ids: &[String]) -> Result<Meta, JsValue> {
        let (events, meta) = stores(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        let mut m = Meta::read(&done(&meta.get(&META_KEY.into())?).await?);
        let (n, bytes) = each_slice(&events, ids, None).await?;
        m.count -= n;
        m.bytes -= bytes;
        m.count = m.count.max(0.0);
        m.bytes = m.bytes.max(0.0);
        done(&meta.put_with_key(&m.to_js(), &META_KEY.into())?).await?;
        Ok(m)
    }

    /// Makes events claimable again at `lease` (after a failed attempt).
    pub async fn release(&self, ids: &[String], lease: f64) -> Result<(), JsValue> {
        let (events, _) = stores(&self.db, IdbTransactionMode::Readwrite).ok_or("no transaction")?;
        each_slice(&events, ids, Some(lease)).await.map(|_| ())
    }

    pub async fn meta(&self) -> Result<Meta, JsValue> {
        let (_, meta) = stores(&self.db, IdbTransactionMode::Readonly).ok_or("no transaction")?;
        Ok(Meta::read(&done(&meta.get(&META_KEY.into())?).await?))
    }

    pub fn close(&self) {
        self.db.close();
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
