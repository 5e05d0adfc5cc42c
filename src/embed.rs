//! The JavaScript-facing surface of the wasm module: what the loader calls, nothing else.

use leptos::mount::{mount_to, UnmountHandle};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

use crate::i18n::Lang;
use crate::poll::Poll;
use crate::ui::Host;

/// A mounted widget; `unmount()` removes it and stops its requests and live updates.
#[wasm_bindgen]
pub struct WidgetHandle {
    _mounted: UnmountHandle<AnyViewState>,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget from its shadow root and frees it (the handle is spent).
    pub fn unmount(self) {}
}

/// Mounts the poll `poll` of the endpoint `endpoint` into `root`, speaking `lang`
/// (`fr` unless it starts with `en`). DOM events go to `root.host`.
#[wasm_bindgen(js_name = mountPoll)]
pub fn mount_poll(root: ShadowRoot, poll: String, endpoint: String, lang: String) -> WidgetHandle {
    let host = Host::new(Some(root.host()));
    let lang = Lang::from_tag(&lang);
    // A shadow root is not an element, but mounting only appends children to it.
    let parent: HtmlElement = root.unchecked_into();
    let mounted = mount_to(parent, move || {
        view! { <Poll poll endpoint lang host /> }.into_any()
    });
    WidgetHandle { _mounted: mounted }
}
