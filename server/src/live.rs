//! Live updates: one broadcast channel per watched topic (`poll:ID`, `thread:ID`, `box:ID`),
//! read by SSE streams; each event is written once as an SSE frame that every viewer shares,
//! and counts that replace each other reach a topic at most four times a second. On a shared
//! database, events are relayed to the other instances in coalesced batches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

use crate::store::Store;

/// One server-sent event, as sent: `event: NAME\ndata: JSON\n\n`, shared by every receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub frame: Bytes,
}

impl Signal {
    fn new(event: &str, data: &str) -> Self {
        Self {
            frame: Bytes::from(format!("event: {event}\ndata: {data}\n\n")),
        }
    }
}

/// A lagging subscriber just skips ahead: viewers resync when they miss updates.
#[derive(Debug, Clone, Default)]
pub struct Hub {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    channels: Mutex<Channels>,
    /// Where signals go to be relayed to other instances (shared databases only).
    relay: OnceLock<mpsc::UnboundedSender<Relayed>>,
}

#[derive(Debug, Default)]
struct Channels {
    topics: HashMap<String, Topic>,
    /// Set at shutdown: no new stream, every open one ends.
    closed: bool,
}

/// A watched topic: its channel, and the counts waiting for their turn.
#[derive(Debug)]
struct Topic {
    sender: broadcast::Sender<Signal>,
    /// When a replaceable event was last sent.
    last: Option<Instant>,
    /// Replaceable events held back, by what they replace, oldest first.
    held: Vec<(String, Signal)>,
    /// A task will send `held` when the interval is over.
    flush_due: bool,
}

const CAPACITY: usize = 64;

/// Replaceable events (a tally, a count) of one topic are sent at most this often, and
/// relays between instances send at most this often (so never one notification per vote).
pub const INTERVAL: Duration = Duration::from_millis(250);

/// Frames a topic's counts may cost a second, over all its viewers: beyond
/// `FRAMES_PER_SECOND × INTERVAL` viewers (25,000), a topic's counts come less often (every
/// half second for 50,000), so that a huge audience never leaves the endpoint too busy to
/// deliver them, nor to take the votes they count.
const FRAMES_PER_SECOND: f64 = 100_000.0;

/// How often counts reach a topic watched by `viewers`.
fn interval(viewers: usize) -> Duration {
    INTERVAL.max(Duration::from_secs_f64(viewers as f64 / FRAMES_PER_SECOND))
}

/// Notifications above this size are split (PostgreSQL refuses payloads of 8000 bytes).
const MAX_PAYLOAD: usize = 7000;

/// A signal on its way to the other instances. `replaces` names what a later signal of the
/// same topic makes obsolete (the latest count is all a viewer needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Relayed {
    topic: String,
    event: String,
    data: String,
    #[serde(default)]
    replaces: Option<String>,
}

/// One notification: the signals of one interval, from one instance.
#[derive(Debug, Serialize, Deserialize)]
struct Batch {
    from: String,
    signals: Vec<Relayed>,
}

impl Hub {
    fn channels(&self) -> std::sync::MutexGuard<'_, Channels> {
        self.inner
            .channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The signals of `topic` from now on; `None` once the hub is closed.
    pub fn subscribe(&self, topic: &str) -> Option<broadcast::Receiver<Signal>> {
        let mut channels = self.channels();
        if channels.closed {
            return None;
        }
        Some(
            channels
                .topics
                .entry(topic.to_owned())
                .or_insert_with(|| Topic {
                    sender: broadcast::channel(CAPACITY).0,
                    last: None,
                    held: Vec::new(),
                    flush_due: false,
                })
                .sender
                .subscribe(),
        )
    }

    /// Sends a signal to this instance's viewers of `topic` and, on a shared database, to
    /// the other instances'. `replaces` marks a count that a later one with the same name
    /// makes obsolete: such signals are sent at most every [`INTERVAL`] (less often to a huge
    /// audience, see [`FRAMES_PER_SECOND`]), the latest winning.
    pub fn publish(&self, topic: &str, event: &str, data: String, replaces: Option<String>) {
        self.deliver(topic, event, &data, replaces.clone());
        if let Some(relay) = self.inner.relay.get() {
            let _ = relay.send(Relayed {
                topic: topic.to_owned(),
                event: event.to_owned(),
                data,
                replaces,
            });
        }
    }

    fn deliver(&self, topic: &str, event: &str, data: &str, replaces: Option<String>) {
        let mut channels = self.channels();
        let Some(entry) = channels.topics.get_mut(topic) else {
            return;
        };
        if entry.sender.receiver_count() == 0 {
            // No viewer left: forget the topic so idle ones cost nothing.
            channels.topics.remove(topic);
            return;
        }
        let signal = Signal::new(event, data);
        let Some(replaces) = replaces else {
            // Whatever waits goes first, so that viewers see changes in their order.
            flush(entry);
            let _ = entry.sender.send(signal);
            return;
        };
        let now = Instant::now();
        let every = interval(entry.sender.receiver_count());
        let due = entry.last.is_none_or(|last| now >= last + every);
        if due && entry.held.is_empty() {
            entry.last = Some(now);
            let _ = entry.sender.send(signal);
            return;
        }
        entry.held.retain(|(held, _)| *held != replaces);
        entry.held.push((replaces, signal));
        if !entry.flush_due {
            entry.flush_due = true;
            let wait = entry.last.map_or(Duration::ZERO, |last| {
                (last + every).saturating_duration_since(now)
            });
            let (hub, topic) = (self.clone(), topic.to_owned());
            tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                if let Some(entry) = hub.channels().topics.get_mut(&topic) {
                    entry.flush_due = false;
                    flush(entry);
                }
            });
        }
    }

    /// Open event streams, for the metrics.
    pub fn subscribers(&self) -> usize {
        self.channels()
            .topics
            .values()
            .map(|topic| topic.sender.receiver_count())
            .sum()
    }

    /// Ends every stream and refuses new ones (graceful shutdown).
    pub fn close(&self) {
        let mut channels = self.channels();
        channels.closed = true;
        channels.topics.clear();
    }

    /// On a shared database, starts relaying this instance's signals to the others and
    /// theirs to this one's viewers. Returns the relay's task, `None` when not shared.
    pub async fn relay_through(
        &self,
        store: Arc<dyn Store>,
    ) -> crate::store::Result<Option<JoinHandle<()>>> {
        let Some(incoming) = store.listen().await? else {
            return Ok(None);
        };
        let (sender, outgoing) = mpsc::unbounded_channel();
        if self.inner.relay.set(sender).is_err() {
            return Ok(None);
        }
        let instance = instance_id();
        let hub = self.clone();
        Ok(Some(tokio::spawn(async move {
            tokio::join!(
                send_batches(store, instance.clone(), outgoing),
                hub.receive_batches(instance, incoming),
            );
        })))
    }

    async fn receive_batches(
        &self,
        instance: String,
        mut incoming: futures_util::stream::BoxStream<'static, String>,
    ) {
        while let Some(payload) = incoming.next().await {
            match serde_json::from_str::<Batch>(&payload) {
                Ok(batch) if batch.from != instance => {
                    for signal in batch.signals {
                        self.deliver(&signal.topic, &signal.event, &signal.data, signal.replaces);
                    }
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "unreadable live-update batch"),
            }
        }
    }
}

/// Sends what a topic holds back, marking the time.
fn flush(topic: &mut Topic) {
    if topic.held.is_empty() {
        return;
    }
    topic.last = Some(Instant::now());
    for (_, signal) in topic.held.drain(..) {
        let _ = topic.sender.send(signal);
    }
}

/// A random name for this process among the instances, from the OS's hasher seeds.
fn instance_id() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    (0..2)
        .map(|i| {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(i);
            format!("{:016x}", hasher.finish())
        })
        .collect()
}

/// Gathers the signals of each interval, drops those a later one replaces, and sends the
/// rest in as few notifications as fit.
async fn send_batches(
    store: Arc<dyn Store>,
    instance: String,
    mut outgoing: mpsc::UnboundedReceiver<Relayed>,
) {
    let mut ticks = tokio::time::interval(INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut pending: Vec<Relayed> = Vec::new();
    loop {
        tokio::select! {
            received = outgoing.recv() => match received {
                Some(signal) => coalesce(&mut pending, signal),
                None => break,
            },
            _ = ticks.tick() => {
                for payload in payloads(&instance, std::mem::take(&mut pending)) {
                    if let Err(error) = store.notify(&payload).await {
                        tracing::warn!(%error, "could not relay live updates");
                    }
                }
            }
        }
    }
}

fn coalesce(pending: &mut Vec<Relayed>, signal: Relayed) {
    if let Some(replaces) = &signal.replaces {
        pending.retain(|old| old.topic != signal.topic || old.replaces.as_ref() != Some(replaces));
    }
    pending.push(signal);
}

/// The notifications carrying `signals`, each under [`MAX_PAYLOAD`] bytes when it can be.
fn payloads(instance: &str, signals: Vec<Relayed>) -> Vec<String> {
    let encode = |signals: Vec<Relayed>| {
        serde_json::to_string(&Batch {
            from: instance.to_owned(),
            signals,
        })
        .unwrap_or_default()
    };
    let mut out = Vec::new();
    let mut batch: Vec<Relayed> = Vec::new();
    let mut size = 0;
    for signal in signals {
        let len = signal.topic.len() + signal.event.len() + signal.data.len() + 64;
        if !batch.is_empty() && size + len > MAX_PAYLOAD {
            out.push(encode(std::mem::take(&mut batch)));
            size = 0;
        }
        size += len;
        batch.push(signal);
    }
    if !batch.is_empty() {
        out.push(encode(batch));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relayed(topic: &str, data: &str, replaces: Option<&str>) -> Relayed {
        Relayed {
            topic: topic.into(),
            event: "e".into(),
            data: data.into(),
            replaces: replaces.map(str::to_owned),
        }
    }

    fn frame(signal: Signal) -> String {
        String::from_utf8(signal.frame.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn subscribers_of_a_topic_get_its_signals_only() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a").unwrap();
        hub.publish("b", "x", "7".into(), None);
        hub.publish("a", "x", "3".into(), None);
        assert_eq!(frame(a.recv().await.unwrap()), "event: x\ndata: 3\n\n");
        drop(a);
        hub.publish("a", "x", "4".into(), None);
        assert!(hub.channels().topics.is_empty());
        hub.close();
        assert!(hub.subscribe("a").is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn counts_reach_a_topic_at_most_every_interval_in_order() {
        let hub = Hub::default();
        let mut viewer = hub.subscribe("poll:p").unwrap();
        let tally = || Some("tally".to_owned());
        hub.publish("poll:p", "poll_changed", "1".into(), tally());
        for n in 2..=5 {
            hub.publish("poll:p", "poll_changed", n.to_string(), tally());
        }
        assert_eq!(
            frame(viewer.recv().await.unwrap()),
            "event: poll_changed\ndata: 1\n\n"
        );
        assert!(
            viewer.try_recv().is_err(),
            "the next count waits for its turn"
        );
        tokio::time::advance(INTERVAL).await;
        assert_eq!(
            frame(viewer.recv().await.unwrap()),
            "event: poll_changed\ndata: 5\n\n"
        );
        assert!(viewer.try_recv().is_err(), "2, 3 and 4 were replaced");
        // An event that replaces nothing goes at once, after the count held before it.
        hub.publish("poll:p", "poll_changed", "6".into(), tally());
        hub.publish("poll:p", "other", "x".into(), None);
        assert_eq!(
            frame(viewer.recv().await.unwrap()),
            "event: poll_changed\ndata: 6\n\n"
        );
        assert_eq!(
            frame(viewer.recv().await.unwrap()),
            "event: other\ndata: x\n\n"
        );
    }

    #[test]
    fn a_huge_audience_gets_counts_less_often() {
        assert_eq!(interval(1), INTERVAL);
        assert_eq!(interval(25_000), INTERVAL);
        assert_eq!(interval(50_000), Duration::from_millis(500));
        assert!(interval(200_000) > interval(50_000));
    }

    #[test]
    fn later_counts_replace_earlier_ones_of_the_same_thing() {
        let mut pending = Vec::new();
        coalesce(&mut pending, relayed("poll:p", "1", Some("tally")));
        coalesce(&mut pending, relayed("box:b", "{\"id\":1}", None));
        coalesce(&mut pending, relayed("poll:q", "1", Some("tally")));
        coalesce(&mut pending, relayed("poll:p", "2", Some("tally")));
        coalesce(&mut pending, relayed("box:b", "{\"id\":2}", None));
        let kept: Vec<(&str, &str)> = pending
            .iter()
            .map(|s| (s.topic.as_str(), s.data.as_str()))
            .collect();
        assert_eq!(
            kept,
            [
                ("box:b", "{\"id\":1}"),
                ("poll:q", "1"),
                ("poll:p", "2"),
                ("box:b", "{\"id\":2}")
            ]
        );
    }

    #[test]
    fn large_intervals_are_split_into_payloads_that_fit() {
        let big = "x".repeat(3000);
        let signals = (0..5)
            .map(|i| relayed(&format!("t{i}"), &big, None))
            .collect();
        let payloads = payloads("me", signals);
        assert_eq!(payloads.len(), 3);
        assert!(payloads.iter().all(|p| p.len() < 8000));
        let batch: Batch = serde_json::from_str(&payloads[2]).unwrap();
        assert_eq!(batch.signals[0].topic, "t4");
    }
}
