//! Pieces shared by every widget: element ids, host events, local storage and the base stylesheet.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

use crate::client::ClientError;

mod my_data;
pub use my_data::MyData;

/// Where a widget stands with the endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The first answer has not arrived yet.
    Loading,
    /// Content is shown (later failures keep it on screen).
    Ready,
    /// The first load failed.
    Failed(ClientError),
}

impl Phase {
    /// Value of the root's `data-state` attribute.
    pub fn data_state(&self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Ready => "ready",
            Phase::Failed(_) => "unreachable",
        }
    }
}

/// localStorage key of the display name, shared by every widget of every endpoint.
pub const NAME_KEY: &str = "civique:name";

/// Shows `code` in `error` so that it is announced again even when it is the same: the
/// cleared alert leaves the page first.
pub fn fail(error: leptos::prelude::RwSignal<Option<String>>, code: &str) {
    use leptos::prelude::*;
    error.set(None);
    let code = code.to_owned();
    leptos::task::spawn_local(async move {
        if !error.is_disposed() {
            error.set(Some(code));
        }
    });
}

/// The shared stylesheet (`base.css`), for tests and tools that need it in Rust.
pub const BASE_CSS: &str = include_str!("base.css");

/// A fresh id prefix (`civique-3`), unique in the page, for `aria-*` references.
pub fn unique_id() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    format!("civique-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The element a widget is mounted in; DOM events for the host page are dispatched on it.
///
/// Wrapped so that it can live in reactive closures (the browser runs one thread).
#[derive(Clone, Default)]
pub struct Host(Option<SendWrapper<web_sys::Element>>);

impl Host {
    /// Events will be dispatched on `element`, when there is one.
    pub fn new(element: Option<web_sys::Element>) -> Self {
        Host(element.map(SendWrapper::new))
    }

    /// Dispatches a bubbling, composed `CustomEvent` named `name` with `detail` built from
    /// key/value pairs.
    pub fn emit(&self, name: &str, detail: &[(&str, JsValue)]) {
        let Some(element) = &self.0 else {
            return;
        };
        let object = js_sys::Object::new();
        for (key, value) in detail {
            let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
        }
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&object);
        if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = element.dispatch_event(&event);
        }
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The host page's localStorage value at `key` (`None` when absent or storage is blocked).
pub fn stored(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Keeps `value` at `key` in the host page's localStorage, or removes the key when `value`
/// is empty; silently does nothing when storage is blocked.
pub fn store(key: &str, value: &str) {
    if let Some(storage) = local_storage() {
        let _ = if value.is_empty() {
            storage.remove_item(key)
        } else {
            storage.set_item(key, value)
        };
    }
}

/// A first load that failed: the alert, then a retry button when trying again may help.
#[leptos::component]
pub fn Failure(
    /// The sentence for the resident.
    message: String,
    /// Offer to try again?
    retry: bool,
    /// Called by the retry button.
    #[prop(into)]
    on_retry: leptos::callback::Callback<()>,
    /// Text of the retry button.
    retry_text: &'static str,
) -> impl leptos::IntoView {
    use leptos::callback::Callable;
    use leptos::prelude::*;
    let retry = retry.then(|| {
        view! {
            <button type="button" class="civique-button" part="button" on:click=move |_| on_retry.run(())>
                {retry_text}
            </button>
        }
    });
    view! {
        <p class="civique-alert" role="alert">
            {message}
        </p>
        {retry}
    }
}

impl Host {
    /// The host's shadow root, where the widget is mounted.
    pub fn shadow(&self) -> Option<web_sys::ShadowRoot> {
        self.0.as_ref()?.shadow_root()
    }

    /// The first element matching `selector` in the host's shadow root.
    pub fn query(&self, selector: &str) -> Option<web_sys::Element> {
        self.0
            .as_ref()?
            .shadow_root()?
            .query_selector(selector)
            .ok()?
    }
}

/// A timer that runs only the last of the calls made in quick succession.
#[derive(Debug, Clone, Copy)]
pub struct Debounce(StoredValue<Option<TimeoutHandle>>);

impl Debounce {
    pub fn new() -> Self {
        Debounce(StoredValue::new(None))
    }

    /// Runs `f` in `ms` milliseconds unless called again before.
    pub fn run(&self, ms: u64, f: impl FnOnce() + 'static) {
        self.cancel();
        let handle = set_timeout_with_handle(f, Duration::from_millis(ms)).ok();
        self.0.set_value(handle);
    }

    /// Runs `f` in `ms` milliseconds unless a call is already waiting (then that one runs,
    /// and `f` is dropped): at most one run every `ms` however often it is asked.
    pub fn run_once(&self, ms: u64, f: impl FnOnce() + 'static) {
        if self.0.with_value(Option::is_some) {
            return;
        }
        let this = *self;
        let handle = set_timeout_with_handle(
            move || {
                this.0.set_value(None);
                f();
            },
            Duration::from_millis(ms),
        )
        .ok();
        self.0.set_value(handle);
    }

    /// Forgets the pending call.
    pub fn cancel(&self) {
        if let Some(handle) = self.0.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    }
}

impl Default for Debounce {
    fn default() -> Self {
        Self::new()
    }
}
