//! Live updates: one broadcast channel per watched topic (`poll:ID`, `thread:ID`), read by SSE streams.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

/// One server-sent event: its name and a small JSON payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub event: &'static str,
    pub data: String,
}

/// A lagging subscriber just skips ahead: every signal says "something changed, refetch",
/// never a delta that must not be missed.
#[derive(Debug, Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<Signal>>>>,
}

const CAPACITY: usize = 64;

impl Hub {
    pub fn subscribe(&self, topic: &str) -> broadcast::Receiver<Signal> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    pub fn publish(&self, topic: &str, event: &'static str, data: String) {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = channels.get(topic) {
            // No receiver left: forget the channel so idle topics cost nothing.
            if sender.send(Signal { event, data }).is_err() {
                channels.remove(topic);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_of_a_topic_get_its_signals_only() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a");
        hub.publish("b", "x", "7".into());
        hub.publish("a", "x", "3".into());
        assert_eq!(a.recv().await.unwrap().data, "3");
        drop(a);
        hub.publish("a", "x", "4".into());
        assert!(hub.channels.lock().unwrap().is_empty());
    }
}
