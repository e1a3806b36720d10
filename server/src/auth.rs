//! Who may call the server.
//!
//! * Users with passwords (argon2 hashes) authenticate with Basic credentials in a Handshake
//!   and get a Bearer token in the response header (JDBC, ADBC, Tableau); Basic credentials are
//!   also accepted on any call (Tableau cannot send tokens), and a static token is accepted as a
//!   Basic password.
//! * Static bearer tokens (JDBC `token=`, ADBC's authorization header) are stored as SHA-256
//!   digests and compared in constant time.
//! * With no users and no tokens configured, authentication is off and junk credentials
//!   (`Bearer None` from flightsql-dbapi) are ignored.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use parking_lot::Mutex;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tonic::Status;
use tonic::metadata::MetadataMap;

/// How long a token issued by a Handshake stays valid.
const ISSUED_TOKEN_TTL: Duration = Duration::from_secs(12 * 3600);
/// How long a verified Basic credential is remembered (argon2 is deliberately slow).
const BASIC_CACHE_TTL: Duration = Duration::from_secs(300);

/// The users and tokens file (`--auth-file`):
///
/// ```toml
/// [[users]]
/// name = "analyst"
/// password_hash = "$argon2id$v=19$m=19456,t=2,p=1$…"   # tarn hash-password
///
/// [[tokens]]
/// name = "dashboards"
/// sha256 = "9f86d081884c7d65…"                          # tarn hash-token
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthFile {
    #[serde(default)]
    pub(crate) users: Vec<UserEntry>,
    #[serde(default)]
    pub(crate) tokens: Vec<TokenEntry>,
}

/// A user who may log in with a password.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserEntry {
    pub(crate) name: String,
    pub(crate) password_hash: String,
}

/// A static bearer token, stored as the hex SHA-256 of the token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenEntry {
    pub(crate) name: String,
    pub(crate) sha256: String,
}

impl AuthFile {
    /// Reads and checks an auth file.
    ///
    /// # Errors
    /// Unreadable files, bad TOML, malformed hashes — naming the file and the entry.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read auth file {}: {e}", path.display()))?;
        let file: AuthFile = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!("invalid auth file {}: {}", path.display(), e.message())
        })?;
        for u in &file.users {
            PasswordHash::new(&u.password_hash).map_err(|e| {
                anyhow::anyhow!(
                    "auth file {}: user {}: bad password_hash: {e}",
                    path.display(),
                    u.name
                )
            })?;
        }
        for t in &file.tokens {
            if t.sha256.len() != 64 || !t.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                anyhow::bail!(
                    "auth file {}: token {}: sha256 must be 64 hex digits (tarn hash-token)",
                    path.display(),
                    t.name
                );
            }
        }
        Ok(file)
    }
}

/// Who made a call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Principal {
    /// The user or token name; `anonymous` with authentication off.
    pub(crate) name: String,
    /// The bearer token the call carried, if any: sessions are keyed by it.
    pub(crate) token: Option<String>,
}

/// The server's authenticator.
#[derive(Debug)]
pub(crate) struct Auth {
    users: HashMap<String, String>,
    tokens: Vec<(String, [u8; 32])>,
    issued: Mutex<HashMap<String, (String, Instant)>>,
    basic_ok: Mutex<HashMap<[u8; 32], (String, Instant)>>,
    dummy_hash: String,
}

impl Auth {
    /// Users and tokens from the auth file, plus plain static tokens (`--token`).
    pub(crate) fn new(file: AuthFile, plain_tokens: &[String]) -> Self {
        let mut tokens: Vec<(String, [u8; 32])> = file
            .tokens
            .into_iter()
            .filter_map(|t| Some((t.name, hex32(&t.sha256)?)))
            .collect();
        for (i, t) in plain_tokens.iter().enumerate() {
            tokens.push((format!("token-{}", i + 1), sha256(t.as_bytes())));
        }
        Self {
            users: file
                .users
                .into_iter()
                .map(|u| (u.name, u.password_hash))
                .collect(),
            tokens,
            issued: Mutex::new(HashMap::new()),
            basic_ok: Mutex::new(HashMap::new()),
            dummy_hash: hash_password("not a password").unwrap_or_default(),
        }
    }

    /// Whether any credential is configured.
    pub(crate) fn enabled(&self) -> bool {
        !self.users.is_empty() || !self.tokens.is_empty()
    }

    /// Checks a call's credentials.
    ///
    /// # Errors
    /// `UNAUTHENTICATED` with what was missing or wrong (never which part of a secret).
    pub(crate) fn authenticate(&self, md: &MetadataMap) -> Result<Principal, Status> {
        let header = authorization(md);
        if !self.enabled() {
            return Ok(Principal {
                name: "anonymous".into(),
                token: bearer(header.as_deref()),
            });
        }
        match header.as_deref().map(split_scheme) {
            Some(("bearer", token)) => self.check_bearer(token),
            Some(("basic", creds)) => {
                let (user, password) = decode_basic(creds)?;
                self.check_basic(&user, &password)
                    .map(|name| Principal { name, token: None })
            }
            Some((scheme, _)) => Err(Status::unauthenticated(format!(
                "unsupported authorization scheme {scheme:?}; use Bearer or Basic"
            ))),
            None => Err(Status::unauthenticated(
                "authentication required: send `authorization: Bearer <token>` or Basic credentials",
            )),
        }
    }

    fn check_bearer(&self, token: &str) -> Result<Principal, Status> {
        if let Some((name, expires)) = self.issued.lock().get(token).cloned() {
            if Instant::now() < expires {
                return Ok(Principal {
                    name,
                    token: Some(token.to_string()),
                });
            }
            self.issued.lock().remove(token);
            return Err(Status::unauthenticated(
                "the session token has expired; log in again",
            ));
        }
        match self.static_token(token) {
            Some(name) => Ok(Principal {
                name,
                token: Some(token.to_string()),
            }),
            None => Err(Status::unauthenticated("invalid bearer token")),
        }
    }

    fn static_token(&self, token: &str) -> Option<String> {
        let digest = sha256(token.as_bytes());
        // Compare against every entry so timing does not reveal which one matched.
        let mut found = None;
        for (name, expected) in &self.tokens {
            if bool::from(digest.ct_eq(expected)) {
                found = Some(name.clone());
            }
        }
        found
    }

    /// Verifies a user's password (or a static token given as the password).
    fn check_basic(&self, user: &str, password: &str) -> Result<String, Status> {
        let key = sha256(format!("{user}\0{password}").as_bytes());
        if let Some((name, at)) = self.basic_ok.lock().get(&key).cloned()
            && at.elapsed() < BASIC_CACHE_TTL
        {
            return Ok(name);
        }
        let ok = match self.users.get(user) {
            Some(hash) => PasswordHash::new(hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false),
            None => {
                // Spend the same effort for unknown users as for known ones.
                if let Ok(h) = PasswordHash::new(&self.dummy_hash) {
                    let _ = Argon2::default().verify_password(password.as_bytes(), &h);
                }
                false
            }
        };
        let name = if ok {
            user.to_string()
        } else if let Some(token_name) = self.static_token(password) {
            token_name
        } else {
            return Err(Status::unauthenticated("invalid user name or password"));
        };
        self.basic_ok
            .lock()
            .insert(key, (name.clone(), Instant::now()));
        Ok(name)
    }

    /// The Handshake: Basic credentials get a new Bearer token; a Bearer token is checked and
    /// echoed. With authentication off, any handshake succeeds.
    ///
    /// # Errors
    /// `UNAUTHENTICATED` for wrong or missing credentials.
    pub(crate) fn handshake(&self, md: &MetadataMap) -> Result<Option<String>, Status> {
        let header = authorization(md);
        if !self.enabled() {
            // Clients that log in anyway get a token to send back (pyarrow cannot do without
            // one); it only names their session.
            return Ok(match header.as_deref().map(split_scheme) {
                Some(("basic", _)) => Some(new_token()),
                Some(("bearer", t)) if !t.is_empty() => Some(t.to_string()),
                _ => None,
            });
        }
        match header.as_deref().map(split_scheme) {
            Some(("basic", creds)) => {
                let (user, password) = decode_basic(creds)?;
                let name = self.check_basic(&user, &password)?;
                let token = new_token();
                let mut issued = self.issued.lock();
                issued.retain(|_, (_, exp)| Instant::now() < *exp);
                issued.insert(token.clone(), (name, Instant::now() + ISSUED_TOKEN_TTL));
                Ok(Some(token))
            }
            Some(("bearer", token)) => self.check_bearer(token).map(|_| Some(token.to_string())),
            _ => Err(Status::unauthenticated(
                "handshake needs `authorization: Basic …` or `authorization: Bearer …`",
            )),
        }
    }
}

fn authorization(md: &MetadataMap) -> Option<String> {
    md.get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

fn split_scheme(h: &str) -> (&'static str, &str) {
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        "bearer"
    } else if scheme.eq_ignore_ascii_case("basic") {
        "basic"
    } else {
        "other"
    };
    (scheme, rest.trim())
}

fn bearer(h: Option<&str>) -> Option<String> {
    match h.map(split_scheme) {
        Some(("bearer", t)) if !t.is_empty() && t != "None" => Some(t.to_string()),
        _ => None,
    }
}

fn decode_basic(creds: &str) -> Result<(String, String), Status> {
    let bad = || Status::unauthenticated("malformed Basic credentials");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(creds)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(creds))
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (u, p) = text.split_once(':').ok_or_else(bad)?;
    Ok((u.to_string(), p.to_string()))
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        let text = std::str::from_utf8(chunk).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

/// A new random session token (256 bits, URL-safe base64).
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An argon2id hash of a password, for the auth file.
///
/// # Errors
/// Never in practice (argon2 with default parameters).
pub(crate) fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// The hex SHA-256 of a token, for the auth file.
pub(crate) fn hash_token(token: &str) -> String {
    sha256(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(auth: &str) -> MetadataMap {
        let mut m = MetadataMap::new();
        m.insert("authorization", auth.parse().unwrap());
        m
    }

    fn basic(u: &str, p: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    }

    fn auth() -> Auth {
        let file = AuthFile {
            users: vec![UserEntry {
                name: "ana".into(),
                password_hash: hash_password("s3cret").unwrap(),
            }],
            tokens: vec![TokenEntry {
                name: "ci".into(),
                sha256: hash_token("tok-1"),
            }],
        };
        Auth::new(file, &["plain-tok".to_string()])
    }

    #[test]
    fn basic_handshake_issues_a_bearer_token() {
        let a = auth();
        let token = a.handshake(&md(&basic("ana", "s3cret"))).unwrap().unwrap();
        let p = a.authenticate(&md(&format!("Bearer {token}"))).unwrap();
        assert_eq!(p.name, "ana");
        assert_eq!(
            a.handshake(&md(&basic("ana", "nope"))).unwrap_err().code(),
            tonic::Code::Unauthenticated
        );
        assert_eq!(
            a.handshake(&md(&basic("bob", "s3cret")))
                .unwrap_err()
                .code(),
            tonic::Code::Unauthenticated
        );
    }

    #[test]
    fn static_tokens_and_tokens_as_passwords() {
        let a = auth();
        assert_eq!(a.authenticate(&md("Bearer tok-1")).unwrap().name, "ci");
        assert_eq!(
            a.authenticate(&md("bearer plain-tok")).unwrap().name,
            "token-1"
        );
        assert_eq!(
            a.handshake(&md("Bearer tok-1")).unwrap().as_deref(),
            Some("tok-1")
        );
        assert_eq!(
            a.authenticate(&md(&basic("anyone", "tok-1"))).unwrap().name,
            "ci"
        );
        let err = a.authenticate(&md("Bearer None")).unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unauthenticated);
        let err = a.authenticate(&MetadataMap::new()).unwrap_err();
        assert!(
            err.message().contains("authentication required"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn off_means_anything_goes() {
        let a = Auth::new(AuthFile::default(), &[]);
        assert!(!a.enabled());
        let p = a.authenticate(&md("Bearer None")).unwrap();
        assert_eq!(p.token, None);
        let t = a
            .handshake(&md(&basic("x", "y")))
            .unwrap()
            .expect("a session token");
        assert_eq!(
            a.authenticate(&md(&format!("Bearer {t}"))).unwrap().token,
            Some(t)
        );
        assert_eq!(a.handshake(&MetadataMap::new()).unwrap(), None);
    }
}
