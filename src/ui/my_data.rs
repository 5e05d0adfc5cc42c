//! "Mes données": the disclosure at the foot of every widget where a resident sees, downloads
//! and erases what their device contributed on the site, and the link to the site's privacy
//! notice under it.
//!
//! Built with the DOM directly rather than with Leptos views: every widget bundle carries it,
//! and as a reactive view it cost about 9 KB of brotli, most of the poll bundle's margin. Its
//! root's `data-step` tells the stylesheet which parts show.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, HtmlElement};

use super::{unique_id, Host, NAME_KEY};
use crate::client::{Client, ClientError};
use crate::i18n::{DataText, Lang, Text};

/// Where the panel stands: the value of its `data-step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Not opened since it was shown.
    Closed,
    Loading,
    /// The device holds no token, or its token has nothing on this site.
    Nothing,
    /// The export is shown, with its download.
    Shown,
    /// Asking before erasing.
    Confirming,
    /// The erasure is on its way.
    Erasing,
    Erased,
    /// Loading failed (a failed erasure goes back to `Confirming`, to try again).
    Failed,
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Closed => "closed",
            Step::Loading => "loading",
            Step::Nothing => "nothing",
            Step::Shown => "shown",
            Step::Confirming => "confirming",
            Step::Erasing => "erasing",
            Step::Erased => "erased",
            Step::Failed => "failed",
        }
    }
}

/// A DOM event listener, kept alive as long as the panel.
type Listener = Closure<dyn FnMut(Event)>;

struct Parts {
    root: Element,
    /// The line under the panel with the link to the site's privacy notice.
    privacy: Element,
    status: HtmlElement,
    link: Element,
    erase: Element,
    yes: Element,
}

struct Inner {
    host: Host,
    client: Client,
    lang: Lang,
    site: RefCell<Option<String>>,
    parts: RefCell<Option<Parts>>,
    step: Cell<Step>,
    /// The `blob:` URL of the download (empty when there is none).
    url: RefCell<String>,
    on_erased: RefCell<Option<Rc<dyn Fn()>>>,
    listeners: RefCell<Vec<Listener>>,
}

/// The "Mes données" panel of one widget; cheap to clone. Appended to the widget's shadow
/// root by [`MyData::show`] once the widget knows its site, removed by [`MyData::remove`].
#[derive(Clone)]
pub struct MyData(SendWrapper<Rc<Inner>>);

impl MyData {
    pub fn new(host: Host, client: Client, lang: Lang) -> Self {
        MyData(SendWrapper::new(Rc::new(Inner {
            host,
            client,
            lang,
            site: RefCell::new(None),
            parts: RefCell::new(None),
            step: Cell::new(Step::Closed),
            url: RefCell::new(String::new()),
            on_erased: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
        })))
    }

    /// What the widget does after an erasure (reload what it shows).
    pub fn on_erased(&self, f: impl Fn() + 'static) {
        *self.0.on_erased.borrow_mut() = Some(Rc::new(f));
    }

    /// Shows the panel for the content of `site`, the first time only; nothing without a
    /// host element (widgets mounted by tests).
    pub fn show(&self, site: &str) {
        let inner = &self.0;
        if inner.parts.borrow().is_some() {
            return;
        }
        *inner.site.borrow_mut() = Some(site.to_owned());
        let (Some(shadow), Some(document)) = (
            inner.host.shadow(),
            web_sys::window().and_then(|w| w.document()),
        ) else {
            return;
        };
        let privacy = inner.client.privacy_url(site, inner.lang.tag());
        let Some(parts) = build(&document, inner.lang, &privacy) else {
            return;
        };
        let weak = Rc::downgrade(inner);
        let toggled = {
            let weak = weak.clone();
            Listener::new(move |_| {
                if let Some(inner) = weak.upgrade() {
                    toggled(&inner);
                }
            })
        };
        let clicked = Listener::new(move |event: Event| {
            if let Some(inner) = weak.upgrade() {
                clicked(&inner, &event);
            }
        });
        let root = &parts.root;
        let _ = root.add_event_listener_with_callback("toggle", toggled.as_ref().unchecked_ref());
        let _ = root.add_event_listener_with_callback("click", clicked.as_ref().unchecked_ref());
        let _ = shadow.append_child(root);
        let _ = shadow.append_child(&parts.privacy);
        inner.listeners.borrow_mut().extend([toggled, clicked]);
        *inner.parts.borrow_mut() = Some(parts);
        set_step(inner, Step::Closed);
    }

    /// Takes the panel off the page and frees what it holds (the widget is going).
    pub fn remove(&self) {
        let inner = &self.0;
        if let Some(parts) = inner.parts.borrow_mut().take() {
            parts.root.remove();
            parts.privacy.remove();
        }
        set_url(inner, String::new());
        inner.listeners.borrow_mut().clear();
        inner.on_erased.borrow_mut().take();
    }
}

/// The panel's elements: summary, status line, download link, erase button, confirmation;
/// and the link to the privacy notice at `privacy`, which opens in a new window.
fn build(document: &Document, lang: Lang, privacy: &str) -> Option<Parts> {
    let text = |t| lang.data_text(t);
    let make = |tag: &str, class: &str, content: &str| -> Option<Element> {
        let el = document.create_element(tag).ok()?;
        if !class.is_empty() {
            el.set_attribute("class", class).ok()?;
        }
        if !content.is_empty() {
            el.set_text_content(Some(content));
        }
        Some(el)
    };
    let button = |class: &str, content: &str| -> Option<Element> {
        let el = make("button", class, content)?;
        el.set_attribute("type", "button").ok()?;
        el.set_attribute("part", "button").ok()?;
        Some(el)
    };
    let root = make("details", "civique-mydata", "")?;
    root.set_attribute("part", "my-data").ok()?;
    let status = make("p", "", "")?;
    status.set_attribute("role", "status").ok()?;
    status.set_attribute("tabindex", "-1").ok()?;
    let link = make("a", "", text(DataText::Download))?;
    link.set_attribute("download", "mes-donnees.json").ok()?;
    let line = make("p", "", "")?;
    line.append_child(&link).ok()?;
    let erase = button("civique-button civique-mydata-quiet", text(DataText::Erase))?;
    let id = format!("{}-confirm", unique_id());
    let question = make("p", "", text(DataText::ConfirmErase))?;
    question.set_attribute("id", &id).ok()?;
    let yes = button("civique-button", text(DataText::EraseNow))?;
    yes.set_attribute("aria-describedby", &id).ok()?;
    let confirm = make("div", "civique-mydata-confirm", "")?;
    append(&confirm, &[&question, &yes])?;
    let actions = make("div", "civique-mydata-actions", "")?;
    append(&actions, &[&line, &erase, &confirm])?;
    let summary = make("summary", "", text(DataText::Title))?;
    append(&root, &[&summary, &status, &actions])?;
    let notice = make("a", "", text(DataText::Privacy))?;
    for (name, value) in [
        ("href", privacy),
        ("target", "_blank"),
        ("title", text(DataText::PrivacyTitle)),
        ("part", "privacy"),
    ] {
        notice.set_attribute(name, value).ok()?;
    }
    let line = make("p", "civique-privacy", "")?;
    line.append_child(&notice).ok()?;
    Some(Parts {
        root,
        privacy: line,
        status: status.dyn_into().ok()?,
        link,
        erase,
        yes,
    })
}

fn append(parent: &Element, children: &[&Element]) -> Option<()> {
    for child in children {
        parent.append_child(child).ok()?;
    }
    Some(())
}

/// Moves the panel to `step`: what shows is the stylesheet's business.
fn set_step(inner: &Inner, step: Step) {
    inner.step.set(step);
    if let Some(parts) = &*inner.parts.borrow() {
        let _ = parts.root.set_attribute("data-step", step.name());
        let expanded = matches!(step, Step::Confirming | Step::Erasing);
        let _ = parts
            .erase
            .set_attribute("aria-expanded", if expanded { "true" } else { "false" });
    }
}

fn say(inner: &Inner, text: &str) {
    if let Some(parts) = &*inner.parts.borrow() {
        parts.status.set_text_content(Some(text));
    }
}

/// Replaces the download's `blob:` URL, freeing the old one.
fn set_url(inner: &Inner, url: String) {
    let old = inner.url.replace(url.clone());
    if !old.is_empty() {
        let _ = web_sys::Url::revoke_object_url(&old);
    }
    if let Some(parts) = &*inner.parts.borrow() {
        let _ = parts.link.set_attribute("href", &url);
    }
}

/// Opening the panel loads the export (asking nothing when the device holds no token).
fn toggled(inner: &Rc<Inner>) {
    let opened = inner
        .parts
        .borrow()
        .as_ref()
        .is_some_and(|p| p.root.get_attribute("open").is_some());
    let site = inner.site.borrow().clone();
    let Some(site) = site.filter(|_| opened && !busy(inner)) else {
        return;
    };
    set_step(inner, Step::Loading);
    say(inner, inner.lang.data_text(DataText::Loading));
    spawn_local(request(Rc::downgrade(inner), site, false));
}

/// Asks for the export, or erases (one future for both: each costs wasm), and shows the
/// outcome.
async fn request(weak: Weak<Inner>, site: String, erase: bool) {
    let Some(client) = weak.upgrade().map(|inner| inner.client.clone()) else {
        return;
    };
    let answer = client.my_data(&site, erase).await;
    let Some(inner) = weak.upgrade() else {
        return;
    };
    let lang = inner.lang;
    match answer {
        Ok(_) if erase => {
            super::store(NAME_KEY, "");
            set_url(&inner, String::new());
            say(&inner, lang.data_text(DataText::Erased));
            set_step(&inner, Step::Erased);
            // The buttons are gone: focus goes to what happened.
            if let Some(parts) = &*inner.parts.borrow() {
                let _ = parts.status.focus();
            }
            let on_erased = inner.on_erased.borrow().clone();
            if let Some(on_erased) = on_erased {
                on_erased();
            }
        }
        Ok(Some(export)) if export.counts.iter().any(|&n| n > 0) => {
            match download_url(&export.json) {
                Some(url) => {
                    set_url(&inner, url);
                    say(&inner, &lang.contributions(export.counts));
                    set_step(&inner, Step::Shown);
                }
                None => failed(&inner, &ClientError::Network, Step::Failed),
            }
        }
        Ok(_) => {
            say(&inner, lang.data_text(DataText::NothingSent));
            set_step(&inner, Step::Nothing);
        }
        // A failed erasure keeps the confirmation, to try again.
        Err(error) if erase => failed(&inner, &error, Step::Confirming),
        Err(error) => failed(&inner, &error, Step::Failed),
    }
}

fn busy(inner: &Inner) -> bool {
    matches!(inner.step.get(), Step::Loading | Step::Erasing)
}

/// Says why `error` failed (no answer: try again later) and moves to `step`.
fn failed(inner: &Inner, error: &ClientError, step: Step) {
    let text = if error.is_transient() {
        Text::NetworkRetry
    } else {
        Text::Generic
    };
    say(inner, inner.lang.text(text));
    set_step(inner, step);
}

/// The erase button opens or closes the confirmation (focus stays on it); the confirmation's
/// button erases.
fn clicked(inner: &Rc<Inner>, event: &Event) {
    let Some(target) = event.target() else {
        return;
    };
    let is = |el: &Element| AsRef::<JsValue>::as_ref(&target) == AsRef::<JsValue>::as_ref(el);
    let (on_erase, on_yes) = match &*inner.parts.borrow() {
        Some(parts) => (is(&parts.erase), is(&parts.yes)),
        None => return,
    };
    match inner.step.get() {
        Step::Shown if on_erase => set_step(inner, Step::Confirming),
        Step::Confirming if on_erase => set_step(inner, Step::Shown),
        Step::Confirming if on_yes => erase(inner),
        _ => {}
    }
}

fn erase(inner: &Rc<Inner>) {
    let Some(site) = inner.site.borrow().clone() else {
        return;
    };
    set_step(inner, Step::Erasing);
    spawn_local(request(Rc::downgrade(inner), site, true));
}

/// A `blob:` URL holding `json` as a downloadable file.
fn download_url(json: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&json.into());
    let blob = web_sys::Blob::new_with_str_sequence(&parts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
