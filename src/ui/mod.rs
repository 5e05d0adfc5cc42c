//! Pieces shared by every widget: element ids, host events and the base stylesheet.

use std::sync::atomic::{AtomicU32, Ordering};

use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

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
