//! HTTP and Server-Sent Events client of the civique endpoint, built on the browser's own APIs.

use std::cell::RefCell;
use std::rc::Rc;

use civique_api::{codes, events, PollView, API_PREFIX, PARTICIPANT_HEADER};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{EventSource, RequestCache, RequestInit, Response};

/// Pseudo error code of a request that got no HTTP answer at all.
pub const NETWORK: &str = "network";

/// Why a request to the endpoint failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// No answer: endpoint down, DNS, CORS refusal or offline browser.
    #[error("the endpoint cannot be reached")]
    Network,
    /// The endpoint answered with an error status.
    #[error("HTTP {status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Code from [`civique_api::codes`] (`internal` when the body was not ours).
        code: String,
        /// Developer message from the endpoint.
        message: String,
    },
}

impl ClientError {
    /// The code the interface translates: an API code, or [`NETWORK`].
    pub fn code(&self) -> &str {
        match self {
            ClientError::Network => NETWORK,
            ClientError::Api { code, .. } => code,
        }
    }

    /// Might the same request succeed later (no answer or a server-side failure)?
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Network => true,
            ClientError::Api { status, .. } => *status >= 500,
        }
    }
}

/// The endpoint a widget talks to, e.g. `https://consultation.saint-exemple.fr/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    endpoint: String,
}

impl Client {
    /// A client for `endpoint` (a trailing `/` is added when missing).
    pub fn new(endpoint: &str) -> Self {
        let mut endpoint = endpoint.trim().to_owned();
        if !endpoint.ends_with('/') {
            endpoint.push('/');
        }
        Client { endpoint }
    }

    /// The endpoint URL, ending with `/`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `{endpoint}api/v1/polls/{id}`.
    pub fn poll_url(&self, poll: &str) -> String {
        let id = js_sys::encode_uri_component(poll);
        format!(
            "{}{}/polls/{}",
            self.endpoint,
            API_PREFIX.trim_start_matches('/'),
            String::from(id)
        )
    }

    /// The poll as this participant sees it.
    pub async fn poll(&self, poll: &str) -> Result<PollView, ClientError> {
        self.send("GET", self.poll_url(poll), None).await
    }

    /// Casts or replaces this participant's vote; returns the updated view.
    pub async fn vote(&self, poll: &str, choices: &[i64]) -> Result<PollView, ClientError> {
        let url = format!("{}/vote", self.poll_url(poll));
        self.send("PUT", url, Some(vote_body(choices))).await
    }

    async fn send(
        &self,
        method: &str,
        url: String,
        json: Option<String>,
    ) -> Result<PollView, ClientError> {
        let window = web_sys::window().ok_or(ClientError::Network)?;
        let headers = js_sys::Object::new();
        let set = |k: &str, v: &str| js_sys::Reflect::set(&headers, &k.into(), &v.into());
        let _ = set(PARTICIPANT_HEADER, &participant_token(&self.endpoint));
        let init = RequestInit::new();
        init.set_method(method);
        init.set_cache(RequestCache::NoStore);
        if let Some(body) = json {
            let _ = set("content-type", "application/json");
            init.set_body(&body.into());
        }
        init.set_headers(&headers);
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(|_| ClientError::Network)?
            .unchecked_into();
        let status = response.status();
        let body = match response.json() {
            Ok(promise) => JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        if response.ok() {
            if let Some(view) = body.as_ref().and_then(decode::poll_view) {
                return Ok(view);
            }
        }
        let (code, message) = body.as_ref().and_then(decode::error).unwrap_or_else(|| {
            (
                codes::INTERNAL.to_owned(),
                format!("unexpected HTTP {status} answer"),
            )
        });
        Err(ClientError::Api {
            status,
            code,
            message,
        })
    }
}

/// JSON body of a vote (`VoteRequest`): `{"choices":[1,3]}`.
pub fn vote_body(choices: &[i64]) -> String {
    let ids: Vec<String> = choices.iter().map(i64::to_string).collect();
    format!("{{\"choices\":[{}]}}", ids.join(","))
}

/// Reads wire types field by field out of the browser's `JSON.parse` result.
///
/// serde's generic deserializer (with its float formatting for error messages) cost about
/// 10 KB of brotli, a tenth of the bundle budget; these few types do not need it.
mod decode {
    use civique_api::{
        OptionCount, PollKind, PollOption, PollResults, PollStatus, PollView, ResultsVisibility,
    };
    use js_sys::{Array, Reflect};
    use wasm_bindgen::JsValue;

    fn field(v: &JsValue, key: &str) -> JsValue {
        Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    fn string(v: &JsValue, key: &str) -> Option<String> {
        field(v, key).as_string()
    }

    /// `Some(None)` for null or missing, `None` for a wrong type.
    fn optional(v: &JsValue, key: &str) -> Option<Option<String>> {
        let f = field(v, key);
        if f.is_null() || f.is_undefined() {
            Some(None)
        } else {
            f.as_string().map(Some)
        }
    }

    fn int(v: &JsValue, key: &str) -> Option<i64> {
        field(v, key)
            .as_f64()
            .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
            .map(|n| n as i64)
    }

    fn list<T>(v: &JsValue, key: &str, item: impl Fn(&JsValue) -> Option<T>) -> Option<Vec<T>> {
        let f = field(v, key);
        if !Array::is_array(&f) {
            return None;
        }
        Array::from(&f).iter().map(|x| item(&x)).collect()
    }

    /// A `PollView`, or `None` when the value does not have its shape.
    pub fn poll_view(v: &JsValue) -> Option<PollView> {
        let results = field(v, "results");
        Some(PollView {
            id: string(v, "id")?,
            site_id: string(v, "site_id")?,
            question: string(v, "question")?,
            description: optional(v, "description")?,
            kind: match string(v, "kind")?.as_str() {
                "single" => PollKind::Single,
                "multiple" => PollKind::Multiple,
                _ => return None,
            },
            max_choices: u32::try_from(int(v, "max_choices")?).ok()?,
            options: list(v, "options", |o| {
                Some(PollOption {
                    id: int(o, "id")?,
                    label: string(o, "label")?,
                })
            })?,
            opens_at: optional(v, "opens_at")?,
            closes_at: optional(v, "closes_at")?,
            status: match string(v, "status")?.as_str() {
                "upcoming" => PollStatus::Upcoming,
                "open" => PollStatus::Open,
                "closed" => PollStatus::Closed,
                _ => return None,
            },
            results_visibility: match string(v, "results_visibility")?.as_str() {
                "after_vote" => ResultsVisibility::AfterVote,
                "always" => ResultsVisibility::Always,
                "after_close" => ResultsVisibility::AfterClose,
                _ => return None,
            },
            results: if results.is_null() || results.is_undefined() {
                None
            } else {
                Some(PollResults {
                    voters: u64::try_from(int(&results, "voters")?).ok()?,
                    counts: list(&results, "counts", |c| {
                        Some(OptionCount {
                            option_id: int(c, "option_id")?,
                            votes: u64::try_from(int(c, "votes")?).ok()?,
                        })
                    })?,
                })
            },
            my_choices: list(v, "my_choices", |c| {
                c.as_f64().filter(|n| n.fract() == 0.0).map(|n| n as i64)
            })?,
        })
    }

    /// `(code, message)` of an `ErrorBody`.
    pub fn error(v: &JsValue) -> Option<(String, String)> {
        let e = field(v, "error");
        Some((
            string(&e, "code")?,
            string(&e, "message").unwrap_or_default(),
        ))
    }
}

/// The origin part (`scheme://host[:port]`) of an absolute URL.
pub fn origin_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    &url[..end]
}

/// localStorage key of the participant token for the endpoint at `endpoint`.
pub fn token_key(endpoint: &str) -> String {
    format!("civique:participant:{}", origin_of(endpoint))
}

/// URL-safe base64 without padding: 24 random bytes make the 32-character token.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

thread_local! {
    /// Tokens of this page when localStorage is unavailable (private mode, blocked storage).
    static MEMORY_TOKENS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// This browser's participant token for `endpoint`, created on first need.
///
/// Kept in the host site's localStorage under [`token_key`]; when storage throws, a token
/// lives in memory for the rest of the page.
pub fn participant_token(endpoint: &str) -> String {
    let key = token_key(endpoint);
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(token) = storage
        .as_ref()
        .and_then(|s| s.get_item(&key).ok().flatten())
    {
        if civique_api::is_valid_token(&token) {
            return token;
        }
    }
    if let Some(token) =
        MEMORY_TOKENS.with_borrow(|m| m.iter().find(|(k, _)| *k == key).map(|(_, t)| t.clone()))
    {
        return token;
    }
    let mut bytes = [0u8; 24];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    let token = base64url(&bytes);
    let stored = storage.is_some_and(|s| s.set_item(&key, &token).is_ok());
    if !stored {
        MEMORY_TOKENS.with_borrow_mut(|m| m.push((key, token.clone())));
    }
    token
}

const FIRST_RETRY_MS: i32 = 1_000;
const LAST_RETRY_MS: i32 = 30_000;

/// A live subscription to a poll's `poll_changed` events; closed when dropped.
///
/// The browser reconnects a dropped stream by itself; when it gives up (`CLOSED`, e.g. the
/// endpoint answered with an error), this reconnects with exponential backoff (1 s to 30 s)
/// and reports a change after reconnecting, since events may have been missed.
pub struct Subscription {
    inner: Rc<RefCell<Stream>>,
}

struct Stream {
    url: String,
    source: Option<EventSource>,
    timer: Option<i32>,
    delay_ms: i32,
    reconnecting: bool,
    on_change: Closure<dyn FnMut()>,
    on_error: Closure<dyn FnMut()>,
    on_open: Closure<dyn FnMut()>,
    on_timer: Closure<dyn FnMut()>,
}

impl Subscription {
    /// Listens to `{endpoint}api/v1/polls/{id}/events` and calls `on_change` on each change.
    pub fn new(client: &Client, poll: &str, on_change: impl Fn() + 'static) -> Self {
        let on_change = Rc::new(on_change);
        let inner = Rc::new_cyclic(|weak: &std::rc::Weak<RefCell<Stream>>| {
            let handler = |f: fn(&mut Stream) -> bool| {
                let weak = weak.clone();
                let on_change = on_change.clone();
                Closure::<dyn FnMut()>::new(move || {
                    let changed = weak
                        .upgrade()
                        .is_some_and(|inner| f(&mut inner.borrow_mut()));
                    if changed {
                        on_change();
                    }
                })
            };
            RefCell::new(Stream {
                url: format!("{}/events", client.poll_url(poll)),
                source: None,
                timer: None,
                delay_ms: FIRST_RETRY_MS,
                reconnecting: false,
                on_change: handler(|_| true),
                on_error: handler(Stream::errored),
                on_open: handler(Stream::opened),
                on_timer: handler(|s| {
                    s.timer = None;
                    s.connect();
                    false
                }),
            })
        });
        inner.borrow_mut().connect();
        Subscription { inner }
    }
}

impl Stream {
    fn connect(&mut self) {
        let Ok(source) = EventSource::new(&self.url) else {
            self.retry_later();
            return;
        };
        let _ = source.add_event_listener_with_callback(
            events::POLL_CHANGED,
            self.on_change.as_ref().unchecked_ref(),
        );
        source.set_onerror(Some(self.on_error.as_ref().unchecked_ref()));
        source.set_onopen(Some(self.on_open.as_ref().unchecked_ref()));
        self.source = Some(source);
    }

    fn opened(&mut self) -> bool {
        self.delay_ms = FIRST_RETRY_MS;
        std::mem::take(&mut self.reconnecting)
    }

    fn errored(&mut self) -> bool {
        self.reconnecting = true;
        let gave_up = self
            .source
            .as_ref()
            .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
        if gave_up {
            self.close();
            self.retry_later();
        }
        false
    }

    fn retry_later(&mut self) {
        self.reconnecting = true;
        let Some(window) = web_sys::window() else {
            return;
        };
        self.timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                self.on_timer.as_ref().unchecked_ref(),
                self.delay_ms,
            )
            .ok();
        self.delay_ms = (self.delay_ms * 2).min(LAST_RETRY_MS);
    }

    fn close(&mut self) {
        if let Some(source) = self.source.take() {
            source.set_onerror(None);
            source.set_onopen(None);
            let _ = source.remove_event_listener_with_callback(
                events::POLL_CHANGED,
                self.on_change.as_ref().unchecked_ref(),
            );
            source.close();
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut stream = self.inner.borrow_mut();
        stream.close();
        if let (Some(timer), Some(window)) = (stream.timer.take(), web_sys::window()) {
            window.clear_timeout_with_handle(timer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_scheme_host_and_port() {
        assert_eq!(
            origin_of("http://127.0.0.1:8787/pkg/"),
            "http://127.0.0.1:8787"
        );
        assert_eq!(
            origin_of("https://consultation.example.fr"),
            "https://consultation.example.fr"
        );
        assert_eq!(
            token_key("https://a.example/x/"),
            "civique:participant:https://a.example"
        );
    }

    #[test]
    fn tokens_are_32_url_safe_characters() {
        let token = base64url(&[0xfb; 24]);
        assert_eq!(token.len(), 32);
        assert!(civique_api::is_valid_token(&token));
        assert_eq!(token, "-_v7".repeat(8));
        assert_eq!(base64url(b"Man"), "TWFu");
        assert_eq!(base64url(b"Ma"), "TWE");
    }

    #[test]
    fn vote_body_is_a_vote_request() {
        assert_eq!(vote_body(&[3, 1]), r#"{"choices":[3,1]}"#);
        assert_eq!(vote_body(&[]), r#"{"choices":[]}"#);
    }

    #[test]
    fn endpoint_gets_a_trailing_slash() {
        assert_eq!(Client::new("http://x.test").endpoint(), "http://x.test/");
        assert_eq!(Client::new("http://x.test/").endpoint(), "http://x.test/");
    }
}
