//! An opened proposal, in place of the list: everything about it, its answer, its history
//! and (ideas) its comment thread.

use civique_api::proposals::Visibility;
use leptos::html;
use leptos::prelude::*;

use super::card::{badge, category_label, opens_id, Support};
use super::state::{permalink, Item};
use super::widget::back_to_list;
use super::BoxState;
use crate::i18n::BoxText;
use crate::ui::unique_id;

/// The opened proposal; its title takes focus as it appears.
#[component]
pub fn Detail(state: BoxState, item: Item) -> impl IntoView {
    let lang = state.lang;
    let v = item.view;
    let questions = state.questions();
    let id = unique_id();
    let (title_id, answer_id, history_id, thread_id) = (
        format!("{id}-title"),
        format!("{id}-answer"),
        format!("{id}-history"),
        format!("{id}-thread"),
    );
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });

    let facts = move || {
        v.with(|v| {
            let mut facts = Vec::new();
            if let Some(c) = &v.category {
                facts.push((BoxText::Category, category_label(state, c)));
            }
            if let Some(p) = &v.place {
                facts.push((BoxText::PlaceFact, p.clone()));
            }
            facts
                .into_iter()
                .map(|(label, value)| {
                    view! { <p class="civique-fact-line">{lang.labelled(lang.box_text(label), &value)}</p> }
                })
                .collect_view()
        })
    };
    let created = v.with_untracked(|v| v.created_at.clone());
    let duplicate = move || {
        v.with(|v| v.duplicate_of).map(|original| {
            view! {
                <p class="civique-duplicate">
                    <a href=permalink(original) on:click=opens_id(state, original)>
                        {lang.box_text(BoxText::SeeOriginal)}
                    </a>
                </p>
            }
        })
    };
    let answer = {
        let answer_id = answer_id.clone();
        move || {
            v.with(|v| v.answer_html.clone()).map(|html| {
                view! {
                    <section class="civique-answer" aria-labelledby=answer_id.clone()>
                        <h3 id=answer_id.clone()>{lang.box_text(BoxText::TownAnswer)}</h3>
                        <div class="civique-answer-body" inner_html=html></div>
                    </section>
                }
            })
        }
    };
    let history = {
        let history_id = history_id.clone();
        move || {
            let lines = v.with(|v| {
                v.history
                    .iter()
                    .map(|h| {
                        view! {
                            <li>
                                <time datetime=h.at.clone()>{lang.long_date(&h.at, true)}</time>
                                {lang.history_change(h.from, h.to, &h.by)}
                            </li>
                        }
                    })
                    .collect::<Vec<_>>()
            });
            (!lines.is_empty()).then(|| {
                view! {
                    <section class="civique-history" aria-labelledby=history_id.clone()>
                        <h3 id=history_id.clone()>{lang.box_text(BoxText::History)}</h3>
                        <ol class="civique-history-list">{lines}</ol>
                    </section>
                }
            })
        }
    };
    // The thread never changes for a proposal: drawn once, it mounts itself (loader).
    let thread = v
        .with_untracked(|v| {
            v.thread_id
                .clone()
                .filter(|_| !questions && !state.projector && v.visibility == Visibility::Published)
        })
        .map(|thread| {
            view! {
                <section class="civique-discussion" aria-labelledby=thread_id.clone()>
                    <h3 id=thread_id.clone()>{lang.box_text(BoxText::Discussion)}</h3>
                    <civique-comments thread=thread lang=lang.tag()></civique-comments>
                </section>
            }
        });
    let back = (!state.projector).then(|| {
        view! {
            <p class="civique-back">
                <button
                    type="button"
                    class="civique-button civique-secondary"
                    part="button"
                    on:click=move |_| back_to_list(state)
                >
                    {lang.box_text(BoxText::BackToList)}
                </button>
            </p>
        }
    });
    view! {
        <article
            class="civique-proposal-detail"
            part="proposal"
            data-id=item.id
            aria-labelledby=title_id.clone()
        >
            <h2 class="civique-detail-title" id=title_id.clone() tabindex="-1" node_ref=heading>
                {move || v.with(|v| v.title.clone())}
            </h2>
            {back}
            <p class="civique-proposal-meta">
                {badge(state, item)}
                " "
                <span class="civique-fact">
                    {move || v.with(|v| lang.proposed_by(&v.author_name, questions))}
                </span>
                " "
                <time class="civique-meta" datetime=created.clone()>
                    {lang.long_date(&created, false)}
                </time>
            </p>
            {facts}
            <div class="civique-proposal-body" inner_html=move || v.with(|v| v.html.clone())></div>
            {duplicate}
            <Support state item />
            {answer}
            {history}
            {thread}
        </article>
    }
}
