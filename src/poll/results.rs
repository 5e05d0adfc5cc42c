//! The results list: one line per option with its count, share and an aria-hidden bar.

use civique_api::{Participation, PollOption, PollResults};
use leptos::prelude::*;

use crate::i18n::{Lang, Text};
use crate::ui::unique_id;

/// Share of `voters` who chose an option with `votes`, in whole percent (half rounds up).
pub fn percent(votes: u64, voters: u64) -> u64 {
    if voters == 0 {
        return 0;
    }
    ((votes.saturating_mul(200) + voters) / (2 * voters)).min(100)
}

/// Results of a poll, e.g. "Piste cyclable : 12 votes (40 %)" per option, then the total.
#[component]
pub fn Results(
    /// Counts from the endpoint.
    results: PollResults,
    /// The poll's options, in order.
    options: Vec<PollOption>,
    /// This participant's choices, marked "(votre choix)".
    #[prop(optional)]
    mine: Vec<i64>,
    /// The level the votes were collected at, said under the total.
    #[prop(optional)]
    participation: Participation,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let title_id = unique_id();
    let labelled_by = title_id.clone();
    let voters = results.voters;
    let rows = options
        .into_iter()
        .map(|option| {
            let votes = results
                .counts
                .iter()
                .find(|c| c.option_id == option.id)
                .map_or(0, |c| c.votes);
            let share = percent(votes, voters);
            let mark = mine.contains(&option.id).then(|| {
                view! { " " <strong class="civique-mine">{lang.text(Text::YourChoice)}</strong> }
            });
            view! {
                <li class="civique-result">
                    <span class="civique-result-text">
                        {lang.result_line(&option.label, votes, share)} {mark}
                    </span>
                    <span class="civique-bar" aria-hidden="true">
                        <span class="civique-bar-fill" style:width=format!("{share}%")></span>
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="civique-results" part="results" aria-labelledby=labelled_by>
            <p class="civique-results-title" id=title_id>
                {lang.text(Text::Results)}
            </p>
            <ul class="civique-result-list">{rows}</ul>
            <p class="civique-total">
                {lang.participants(voters)} " · " {lang.text(match participation {
                    Participation::Device => Text::PerDevice,
                    Participation::Site => Text::PerSiteAccount,
                    Participation::Email => Text::PerEmail,
                })}
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_round_half_up() {
        assert_eq!(percent(12, 30), 40);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 8), 13);
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(5, 5), 100);
    }
}
