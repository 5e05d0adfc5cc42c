//! The JavaScript-facing surface of the wasm module: what the loader calls, nothing else.

use leptos::mount::{mount_to, UnmountHandle};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

#[cfg(feature = "comments")]
use crate::comments::{Comments, ThreadRef};
use crate::i18n::Lang;
#[cfg(feature = "poll")]
use crate::poll::Poll;
#[cfg(feature = "proposals")]
use crate::proposals::Proposals;
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

/// Takes the loader's `earn()`, which solves the endpoint's proof of work and resolves to
/// this device's participant token (the widgets call it on the device's first act), and its
/// `verify(refusal)`, which opens the e-mail form for a change refused with `email_required`
/// and resolves to the verified address's participant token (the change then goes again).
#[wasm_bindgen(js_name = earnWith)]
pub fn earn_with(earn: js_sys::Function, verify: js_sys::Function) {
    crate::client::loader_hooks(earn, verify);
}

/// Mounts the poll `poll` of the endpoint `endpoint` into `root`, speaking `lang`
/// (`fr` unless it starts with `en`). DOM events go to `root.host`.
///
/// Every mount takes `participant`: the participant token the loader got for the host
/// website's signed-in user (site accounts, `docs/sso.md`), sent instead of the device's own
/// from then on; empty without one.
#[cfg(feature = "poll")]
#[wasm_bindgen(js_name = mountPoll)]
pub fn mount_poll(
    root: ShadowRoot,
    poll: String,
    endpoint: String,
    lang: String,
    participant: String,
) -> WidgetHandle {
    crate::client::sign_in(&endpoint, participant);
    mount(
        root,
        move |host, lang| view! { <Poll poll endpoint lang host /> }.into_any(),
        &lang,
    )
}

/// Mounts a comment thread into `root`: the thread `thread`, or when it is empty the thread
/// of site `site` for the page key `key` (created on first use when the site allows it).
/// Events (`civique:comment`, `civique:error`) go to `root.host`.
#[cfg(feature = "comments")]
#[wasm_bindgen(js_name = mountComments)]
pub fn mount_comments(
    root: ShadowRoot,
    thread: String,
    endpoint: String,
    lang: String,
    participant: String,
    site: String,
    key: String,
) -> WidgetHandle {
    crate::client::sign_in(&endpoint, participant);
    let thread = if thread.is_empty() {
        ThreadRef::Key { site, key }
    } else {
        ThreadRef::Id(thread)
    };
    mount(
        root,
        move |host, lang| view! { <Comments thread endpoint lang host /> }.into_any(),
        &lang,
    )
}

/// Mounts the proposal box `box_id` into `root`; `display` is `projector` for the large,
/// read-only display of a meeting room (anything else: the normal widget). Events
/// (`civique:proposal`, `civique:support`, `civique:threshold`, `civique:error`) go to
/// `root.host`.
#[cfg(feature = "proposals")]
#[wasm_bindgen(js_name = mountProposals)]
pub fn mount_proposals(
    root: ShadowRoot,
    box_id: String,
    endpoint: String,
    lang: String,
    participant: String,
    display: String,
) -> WidgetHandle {
    crate::client::sign_in(&endpoint, participant);
    let projector = display.trim().eq_ignore_ascii_case("projector");
    mount(
        root,
        move |host, lang| view! { <Proposals box_id endpoint lang host projector /> }.into_any(),
        &lang,
    )
}

/// Mounts the view `widget` draws (given the host and the language) into `root`.
fn mount(
    root: ShadowRoot,
    widget: impl FnOnce(Host, Lang) -> AnyView + 'static,
    lang: &str,
) -> WidgetHandle {
    let host = Host::new(Some(root.host()));
    let lang = Lang::from_tag(lang);
    // A shadow root is not an element, but mounting only appends children to it.
    let parent: HtmlElement = root.unchecked_into();
    WidgetHandle {
        _mounted: mount_to(parent, move || widget(host, lang)),
    }
}
