//! HTTP and Server-Sent Events client of the civique endpoint, built on the browser's own APIs.

use std::cell::RefCell;
use std::rc::Rc;

use civique_api::comments::{CommentPage, CommentSort, CommentView, ThreadView, UsefulView};
use civique_api::{codes, PollView, API_PREFIX, PARTICIPANT_HEADER};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{EventSource, MessageEvent, RequestInit, Response};

mod decode;
#[cfg(feature = "proposals")]
pub mod proposals;

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

/// A path segment, percent-encoded.
fn segment(id: &str) -> String {
    js_sys::encode_uri_component(id).into()
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

    /// `{endpoint}api/v1/{path}`.
    pub fn api_url(&self, path: &str) -> String {
        format!(
            "{}{}/{path}",
            self.endpoint,
            API_PREFIX.trim_start_matches('/')
        )
    }

    /// `{endpoint}api/v1/polls/{id}`.
    pub fn poll_url(&self, poll: &str) -> String {
        self.api_url(&format!("polls/{}", segment(poll)))
    }

    /// `{endpoint}api/v1/threads/{id}`.
    pub fn thread_url(&self, thread: &str) -> String {
        self.api_url(&format!("threads/{}", segment(thread)))
    }

    fn comment_url(&self, id: i64, rest: &str) -> String {
        self.api_url(&format!("comments/{id}{rest}"))
    }

    /// The poll as this participant sees it.
    pub async fn poll(&self, poll: &str) -> Result<PollView, ClientError> {
        self.send("GET", self.poll_url(poll), None, decode::poll_view)
            .await
    }

    /// Casts or replaces this participant's vote; returns the updated view.
    pub async fn vote(&self, poll: &str, choices: &[i64]) -> Result<PollView, ClientError> {
        let url = format!("{}/vote", self.poll_url(poll));
        self.send("PUT", url, Some(vote_body(choices)), decode::poll_view)
            .await
    }

    /// A comment thread.
    pub async fn thread(&self, thread: &str) -> Result<ThreadView, ClientError> {
        self.send("GET", self.thread_url(thread), None, decode::thread_view)
            .await
    }

    /// The thread of `site` for the page key `key`, created on first use when allowed.
    pub async fn claim_thread(&self, site: &str, key: &str) -> Result<ThreadView, ClientError> {
        let url = self.api_url(&format!(
            "sites/{}/threads/by-key/{}",
            segment(site),
            segment(key)
        ));
        // Claiming a thread is no act of the reader's: a token of this request only, so
        // that nothing is kept and no proof of work is asked.
        let (status, body) = self
            .request("PUT", &url, Some("{}".into()), Some(&random_token()))
            .await?;
        answer(status, body, decode::thread_view)
    }

    /// A page of top-level comments in `sort` order, after `cursor`.
    pub async fn comments(
        &self,
        thread: &str,
        sort: CommentSort,
        cursor: Option<&str>,
    ) -> Result<CommentPage, ClientError> {
        let url = format!(
            "{}/comments?sort={}",
            self.thread_url(thread),
            sort.as_str()
        );
        self.send(
            "GET",
            with_cursor(url, '&', cursor),
            None,
            decode::comment_page,
        )
        .await
    }

    /// A page of direct replies of comment `id`, after `cursor`.
    pub async fn replies(&self, id: i64, cursor: Option<&str>) -> Result<CommentPage, ClientError> {
        let url = with_cursor(self.comment_url(id, "/replies"), '?', cursor);
        self.send("GET", url, None, decode::comment_page).await
    }

    /// Posts a comment (or a reply to `parent`) as `name`.
    pub async fn post_comment(
        &self,
        thread: &str,
        name: &str,
        text: &str,
        parent: Option<i64>,
    ) -> Result<CommentView, ClientError> {
        let parent = parent.map_or(JsValue::NULL, |p| JsValue::from(p as f64));
        let body = json(&[
            ("author_name", name.into()),
            ("text", text.into()),
            ("parent_id", parent),
        ]);
        let url = format!("{}/comments", self.thread_url(thread));
        self.send("POST", url, Some(body), decode::comment_view)
            .await
    }

    /// Replaces the text of one's own comment `id`.
    pub async fn edit_comment(&self, id: i64, text: &str) -> Result<CommentView, ClientError> {
        let body = json(&[("text", text.into())]);
        self.send(
            "PATCH",
            self.comment_url(id, ""),
            Some(body),
            decode::comment_view,
        )
        .await
    }

    /// Deletes one's own comment `id`.
    pub async fn delete_comment(&self, id: i64) -> Result<(), ClientError> {
        self.send("DELETE", self.comment_url(id, ""), None, decode::nothing)
            .await
    }

    /// Marks comment `id` useful (`on`) or withdraws the mark.
    pub async fn set_useful(&self, id: i64, on: bool) -> Result<UsefulView, ClientError> {
        let method = if on { "PUT" } else { "DELETE" };
        self.send(
            method,
            self.comment_url(id, "/useful"),
            None,
            decode::useful_view,
        )
        .await
    }

    /// Reports comment `id` to the moderators.
    pub async fn report(&self, id: i64, reason: &str) -> Result<(), ClientError> {
        let body = json(&[("reason", reason.into())]);
        let url = self.comment_url(id, "/reports");
        self.send("POST", url, Some(body), decode::nothing).await
    }

    /// Where the privacy link of `site`'s widgets leads: the site's notice, or the
    /// endpoint's, in `lang` (`fr`, `en`).
    pub fn privacy_url(&self, site: &str, lang: &str) -> String {
        self.api_url(&format!("sites/{}/privacy?lang={lang}", segment(site)))
    }

    /// "Mes données": what this device's token contributed on `site` or, with `erase`,
    /// erases it and then forgets the token (the next act starts a new participant).
    /// `Ok(None)` without asking when the device holds no token, and after an erasure.
    pub async fn my_data(
        &self,
        site: &str,
        erase: bool,
    ) -> Result<Option<MyDataExport>, ClientError> {
        if existing_token(&self.endpoint).is_none() {
            return Ok(None);
        }
        let url = self.api_url(&format!("sites/{}/me", segment(site)));
        let method = if erase { "DELETE" } else { "GET" };
        let (status, body) = self.fetch(method, url, None).await?;
        if (200..300).contains(&status) {
            if erase {
                forget_token(&self.endpoint);
                return Ok(None);
            }
            if let Some(export) = body.as_ref().and_then(decode::my_data) {
                return Ok(Some(export));
            }
        }
        Err(api_error(status, body.as_ref()))
    }

    /// Sends a request and reads its answer with `read`. Generic only in this thin layer:
    /// the fetch itself is [`Client::fetch`], compiled once for every answer type.
    async fn send<T>(
        &self,
        method: &str,
        url: String,
        json: Option<String>,
        read: fn(&JsValue) -> Option<T>,
    ) -> Result<T, ClientError> {
        let (status, body) = self.fetch(method, url, json).await?;
        answer(status, body, read)
    }

    /// The status and JSON body (if any) of a request to the endpoint, as this device: a
    /// change is sent with its token, earned first when it has none.
    async fn fetch(
        &self,
        method: &str,
        url: String,
        json: Option<String>,
    ) -> Result<(u16, Option<JsValue>), ClientError> {
        // A reader who never acted sends no token (and gets none): a CORS-simple GET, which
        // needs no preflight and may come from a cache.
        let token = match existing_token(&self.endpoint) {
            None if method != "GET" => Some(self.earn_device_token().await?),
            token => token,
        };
        let answer = self
            .request(method, &url, json.clone(), token.as_deref())
            .await?;
        // The resident's change waits in the widget while they verify an address, then goes
        // again as that address.
        match self.verified_address(&answer).await {
            Some(token) => self.request(method, &url, json, Some(&token)).await,
            None => Ok(answer),
        }
    }

    /// When `answer` refuses a change for want of a verified address (`email_required`), the
    /// participant token of the address the resident verifies in the loader's form, held for
    /// this page like a site user's; `None` when they close the form.
    async fn verified_address(&self, (status, body): &(u16, Option<JsValue>)) -> Option<String> {
        let body = body.as_ref().filter(|_| *status == 403)?;
        if decode::error(body)?.0 != codes::EMAIL_REQUIRED {
            return None;
        }
        let token = loader_hook(1, body).await.ok()?.as_string()?;
        sign_in(&self.endpoint, token.clone());
        Some(token)
    }

    /// Earns this device's participant token with the loader's `earn` (see
    /// [`loader_hooks`]) and keeps it.
    async fn earn_device_token(&self) -> Result<String, ClientError> {
        // A refusal is the endpoint's error body; anything else means no answer came (offline,
        // or no `crypto.subtle` on a page not served over HTTPS).
        let token = loader_hook(0, &JsValue::NULL)
            .await
            .map_err(|refusal| match decode::error(&refusal) {
                Some(_) => api_error(0, Some(&refusal)),
                None => ClientError::Network,
            })?
            .as_string()
            .ok_or(ClientError::Network)?;
        keep_token(&self.endpoint, &token);
        Ok(token)
    }

    /// The status and JSON body (if any) of a request sent with `token`.
    async fn request(
        &self,
        method: &str,
        url: &str,
        json: Option<String>,
        token: Option<&str>,
    ) -> Result<(u16, Option<JsValue>), ClientError> {
        let window = web_sys::window().ok_or(ClientError::Network)?;
        let headers = js_sys::Object::new();
        let set = |k: &str, v: &str| js_sys::Reflect::set(&headers, &k.into(), &v.into());
        if let Some(token) = token {
            let _ = set(PARTICIPANT_HEADER, token);
        }
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(body) = json {
            let _ = set("content-type", "application/json");
            init.set_body(&body.into());
        }
        init.set_headers(&headers);
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|_| ClientError::Network)?
            .unchecked_into();
        let body = match response.json() {
            Ok(promise) => JsFuture::from(promise).await.ok(),
            Err(_) => None,
        };
        Ok((response.status(), body))
    }
}

/// What an answer of `status` with `body` says, read with `read` when it is a success.
fn answer<T>(
    status: u16,
    body: Option<JsValue>,
    read: fn(&JsValue) -> Option<T>,
) -> Result<T, ClientError> {
    if (200..300).contains(&status) {
        if let Some(value) = read(body.as_ref().unwrap_or(&JsValue::NULL)) {
            return Ok(value);
        }
    }
    Err(api_error(status, body.as_ref()))
}

/// The error an answer of `status` with `body` stands for.
fn api_error(status: u16, body: Option<&JsValue>) -> ClientError {
    let (code, message) = body.and_then(decode::error).unwrap_or_else(|| {
        (
            codes::INTERNAL.to_owned(),
            format!("unexpected HTTP {status} answer"),
        )
    });
    ClientError::Api {
        status,
        code,
        message,
    }
}

fn with_cursor(url: String, separator: char, cursor: Option<&str>) -> String {
    match cursor {
        Some(cursor) => format!("{url}{separator}cursor={}", segment(cursor)),
        None => url,
    }
}

/// A JSON object text from key/value pairs, serialized by the browser.
fn json(pairs: &[(&str, JsValue)]) -> String {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    js_sys::JSON::stringify(&object).map_or_else(|_| "{}".into(), String::from)
}

/// JSON body of a vote (`VoteRequest`): `{"choices":[1,3]}`.
pub fn vote_body(choices: &[i64]) -> String {
    let ids: Vec<String> = choices.iter().map(i64::to_string).collect();
    format!("{{\"choices\":[{}]}}", ids.join(","))
}

/// Decoders of wire types from `JSON.parse` values, for fixtures and event data.
pub use decode::{comment_page, comment_view, poll_changed, thread_view, useful_view};

/// The `JSON.parse` value of `text` (`undefined` when it is not JSON).
pub fn parse_json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
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

/// Tokens held by this page only, by [`token_key`].
type Held = std::thread::LocalKey<RefCell<Vec<(String, String)>>>;

thread_local! {
    /// Tokens of this page when localStorage is unavailable (private mode, blocked storage).
    static MEMORY_TOKENS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    /// Participant tokens of the host website's signed-in user: held for this page only (a
    /// shared computer's next user signs in again), never stored.
    static ACCOUNTS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
    /// The loader's `earn()` and `verify(refusal)` (see [`loader_hooks`]).
    static HOOKS: RefCell<Vec<js_sys::Function>> = const { RefCell::new(Vec::new()) };
}

/// Calls the loader's hook number `n` (see [`loader_hooks`]) with `arg` and waits for its
/// promise; rejects with `null` when the loader gave none.
async fn loader_hook(n: usize, arg: &JsValue) -> Result<JsValue, JsValue> {
    let promise = HOOKS
        .with_borrow(|hooks| hooks.get(n).map(|hook| hook.call1(&JsValue::NULL, arg)))
        .unwrap_or(Err(JsValue::NULL))?;
    JsFuture::from(js_sys::Promise::from(promise)).await
}

fn held(tokens: &'static Held, key: &str) -> Option<String> {
    tokens.with_borrow(|m| {
        m.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t.clone())
    })
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The loader's hooks (see [`crate::embed::earn_with`]): `earn()`, which solves the
/// endpoint's proof of work and resolves to a device token, and `verify(refusal)`, which has
/// the resident verify an e-mail address for the site of an `email_required` refusal and
/// resolves to its participant token. Both reject with the endpoint's error body, or with
/// anything else when no answer came (or, for `verify`, when the resident gave up).
pub fn loader_hooks(earn: js_sys::Function, verify: js_sys::Function) {
    HOOKS.set(vec![earn, verify]);
}

/// Takes part on `endpoint` as the site user `participant` stands for (see
/// [`crate::embed`]); nothing when it is empty.
pub fn sign_in(endpoint: &str, participant: String) {
    if civique_api::is_valid_token(&participant) {
        let key = token_key(endpoint);
        ACCOUNTS.with_borrow_mut(|a| a.push((key, participant)));
    }
}

/// This browser's participant token for `endpoint`, if it ever acted there (nothing is
/// written): the site user's, when the page signed one in.
pub fn existing_token(endpoint: &str) -> Option<String> {
    let key = token_key(endpoint);
    held(&ACCOUNTS, &key)
        .or_else(|| {
            // Only a token the endpoint issued: one an earlier release made up is earned
            // anew (the endpoint would ask it for a proof of work on a site it is new to).
            storage()?
                .get_item(&key)
                .ok()
                .flatten()
                .filter(|token| token.starts_with('d') && civique_api::is_valid_token(token))
        })
        .or_else(|| held(&MEMORY_TOKENS, &key))
}

/// Keeps `token` as this browser's participant token for `endpoint`: in the host site's
/// localStorage under [`token_key`] or, when storage throws, in memory for the rest of the
/// page.
pub fn keep_token(endpoint: &str, token: &str) {
    let key = token_key(endpoint);
    let stored = storage().is_some_and(|s| s.set_item(&key, token).is_ok());
    if !stored {
        MEMORY_TOKENS.with_borrow_mut(|m| m.push((key, token.to_owned())));
    }
}

/// A random token of the widget's own making (32 URL-safe characters).
fn random_token() -> String {
    let mut bytes = [0u8; 24];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    base64url(&bytes)
}

/// Forgets this browser's participant token for `endpoint` (after its data was erased).
pub fn forget_token(endpoint: &str) {
    let key = token_key(endpoint);
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key);
    }
    MEMORY_TOKENS.with_borrow_mut(|m| m.retain(|(k, _)| *k != key));
}

/// A resident's exported data: the JSON as the endpoint sent it (pretty-printed, for the
/// download) and how many of each kind it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyDataExport {
    pub json: String,
    /// Ballots, comments, proposals, supports, useful marks, reports.
    pub counts: [u64; 6],
}

const FIRST_RETRY_MS: i32 = 1_000;
const LAST_RETRY_MS: i32 = 30_000;

/// Event name passed to a [`Subscription`]'s handler after a reconnection: events may have
/// been missed, the widget should catch up.
pub const RESYNC: &str = "";

/// A live subscription to a Server-Sent Events topic; closed when dropped.
///
/// The browser reconnects a dropped stream by itself; when it gives up (`CLOSED`, e.g. the
/// endpoint answered with an error), this reconnects with exponential backoff (1 s to 30 s)
/// and calls the handler with [`RESYNC`] each time the stream opens (the first time too),
/// since events may have been missed before.
pub struct Subscription {
    inner: Rc<RefCell<Stream>>,
}

struct Stream {
    url: String,
    names: &'static [&'static str],
    source: Option<EventSource>,
    timer: Option<i32>,
    delay_ms: i32,
    on_event: Closure<dyn FnMut(MessageEvent)>,
    on_error: Closure<dyn FnMut(MessageEvent)>,
    on_open: Closure<dyn FnMut(MessageEvent)>,
    on_timer: Closure<dyn FnMut(MessageEvent)>,
}

impl Subscription {
    /// Listens to the events `names` of the topic at `url` (e.g. `…/polls/{id}/events`) and
    /// calls `on_event(name, data)` for each.
    pub fn new(
        url: String,
        names: &'static [&'static str],
        on_event: impl Fn(&str, &str) + 'static,
    ) -> Self {
        let on_event = Rc::new(on_event);
        let inner = Rc::new_cyclic(|weak: &std::rc::Weak<RefCell<Stream>>| {
            let handler = |f: fn(&mut Stream) -> bool| {
                let weak = weak.clone();
                let on_event = on_event.clone();
                Closure::<dyn FnMut(MessageEvent)>::new(move |_| {
                    let missed = weak
                        .upgrade()
                        .is_some_and(|inner| f(&mut inner.borrow_mut()));
                    if missed {
                        on_event(RESYNC, "");
                    }
                })
            };
            let forward = on_event.clone();
            RefCell::new(Stream {
                url,
                names,
                source: None,
                timer: None,
                delay_ms: FIRST_RETRY_MS,
                on_event: Closure::new(move |event: MessageEvent| {
                    let data = event.data().as_string().unwrap_or_default();
                    forward(&event.type_(), &data);
                }),
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
        for name in self.names {
            let _ = source
                .add_event_listener_with_callback(name, self.on_event.as_ref().unchecked_ref());
        }
        source.set_onerror(Some(self.on_error.as_ref().unchecked_ref()));
        source.set_onopen(Some(self.on_open.as_ref().unchecked_ref()));
        self.source = Some(source);
    }

    fn opened(&mut self) -> bool {
        self.delay_ms = FIRST_RETRY_MS;
        // The first connection too: what changed between the widget's first load and this
        // moment was never sent to it.
        true
    }

    fn errored(&mut self) -> bool {
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
            for name in self.names {
                let _ = source.remove_event_listener_with_callback(
                    name,
                    self.on_event.as_ref().unchecked_ref(),
                );
            }
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
