//! Client sessions: engine sessions kept per client, and parameters bound to prepared
//! statements.
//!
//! A session is keyed by the caller's bearer token, else by the `arrow_flight_session_id`
//! cookie (JDBC keeps cookies), else by an `x-tarn-session` header. Calls with none of these
//! run in a fresh session each time, which is all a stateless client needs: tickets and
//! handles carry the SQL and its namespace. Sessions idle longer than the TTL are dropped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tarn_engine::{Lake, Session, SessionOptions};
use tonic::Status;
use tonic::metadata::MetadataMap;

use crate::status::engine_status;

/// The cookie a session is kept under (the name the Flight specification suggests).
pub(crate) const SESSION_COOKIE: &str = "arrow_flight_session_id";
/// A header naming a session, for clients without cookies.
pub(crate) const SESSION_HEADER: &str = "x-tarn-session";

/// A session and when it was last used.
type Live = (Arc<Session>, Instant);

/// Encoded parameters bound to a prepared statement handle, and when they were bound.
type Bound = (Vec<u8>, Instant);

/// Sessions and bound parameters.
#[derive(Debug)]
pub(crate) struct Sessions {
    lake: Arc<Lake>,
    options: SessionOptions,
    ttl: Duration,
    max: usize,
    live: Mutex<HashMap<String, Live>>,
    bound: Mutex<HashMap<Vec<u8>, Bound>>,
}

impl Sessions {
    pub(crate) fn new(lake: Arc<Lake>, options: SessionOptions, ttl: Duration, max: usize) -> Self {
        Self {
            lake,
            options,
            ttl,
            max,
            live: Mutex::new(HashMap::new()),
            bound: Mutex::new(HashMap::new()),
        }
    }

    /// The lake sessions run on.
    pub(crate) fn lake(&self) -> &Arc<Lake> {
        &self.lake
    }

    /// The session key of a call: its bearer token, session cookie or session header.
    pub(crate) fn key(token: Option<&str>, md: &MetadataMap) -> Option<String> {
        if let Some(t) = token {
            return Some(format!("token:{t}"));
        }
        if let Some(id) = cookie(md, SESSION_COOKIE) {
            return Some(format!("cookie:{id}"));
        }
        md.get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(|v| format!("header:{v}"))
    }

    /// A fresh session that is not kept.
    ///
    /// # Errors
    /// Engine configuration errors.
    pub(crate) fn ephemeral(&self) -> Result<Arc<Session>, Status> {
        self.lake
            .session_with(self.options.clone())
            .map(Arc::new)
            .map_err(|e| engine_status(&e))
    }

    /// The session for `key` (created if new), or a fresh one without a key.
    ///
    /// # Errors
    /// Engine configuration errors.
    pub(crate) fn get(&self, key: Option<&str>) -> Result<Arc<Session>, Status> {
        let Some(key) = key else {
            return self.ephemeral();
        };
        let mut live = self.live.lock();
        let now = Instant::now();
        if let Some((s, used)) = live.get_mut(key) {
            *used = now;
            return Ok(Arc::clone(s));
        }
        live.retain(|_, (_, used)| now.duration_since(*used) < self.ttl);
        if live.len() >= self.max
            && let Some(oldest) = live
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
        {
            live.remove(&oldest);
        }
        let s = self.ephemeral()?;
        live.insert(key.to_string(), (Arc::clone(&s), now));
        Ok(s)
    }

    /// Whether a session exists for `key`.
    pub(crate) fn exists(&self, key: &str) -> bool {
        self.live.lock().contains_key(key)
    }

    /// Forgets a session; returns whether it existed.
    pub(crate) fn close(&self, key: &str) -> bool {
        self.live.lock().remove(key).is_some()
    }

    /// Remembers parameters bound to a prepared statement, for clients that keep using the
    /// original handle after DoPut (flightsql-dbapi).
    pub(crate) fn bind(&self, handle_id: &[u8], rows: Vec<u8>) {
        let mut bound = self.bound.lock();
        let now = Instant::now();
        bound.retain(|_, (_, at)| now.duration_since(*at) < self.ttl);
        bound.insert(handle_id.to_vec(), (rows, now));
    }

    /// Parameters bound to a handle by an earlier DoPut, if any.
    pub(crate) fn bound(&self, handle_id: &[u8]) -> Option<Vec<u8>> {
        self.bound
            .lock()
            .get(handle_id)
            .map(|(rows, _)| rows.clone())
    }

    /// Forgets a prepared statement's bound parameters.
    pub(crate) fn unbind(&self, handle_id: &[u8]) {
        self.bound.lock().remove(handle_id);
    }
}

/// The value of a cookie in the request's `cookie` headers.
pub(crate) fn cookie(md: &MetadataMap, name: &str) -> Option<String> {
    md.get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| {
            header.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                (k == name).then(|| v.to_string())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_prefer_token_then_cookie_then_header() {
        let mut md = MetadataMap::new();
        assert_eq!(Sessions::key(None, &md), None);
        md.insert(SESSION_HEADER, "h1".parse().unwrap());
        assert_eq!(Sessions::key(None, &md).as_deref(), Some("header:h1"));
        md.insert(
            "cookie",
            "a=1; arrow_flight_session_id=c9; b=2".parse().unwrap(),
        );
        assert_eq!(Sessions::key(None, &md).as_deref(), Some("cookie:c9"));
        assert_eq!(Sessions::key(Some("t"), &md).as_deref(), Some("token:t"));
    }
}
