//! Live updates: one broadcast channel per watched poll, fed by votes, read by SSE streams.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

/// Messages carry the poll's voter count. A lagging subscriber just skips ahead: each
/// message is a complete "something changed" signal, not a delta.
#[derive(Debug, Clone, Default)]
pub struct Hub {
    channels: Arc<Mutex<HashMap<String, broadcast::Sender<u64>>>>,
}

const CAPACITY: usize = 16;

impl Hub {
    pub fn subscribe(&self, poll_id: &str) -> broadcast::Receiver<u64> {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels
            .entry(poll_id.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    pub fn publish(&self, poll_id: &str, voters: u64) {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = channels.get(poll_id) {
            // No receiver left: forget the channel so idle polls cost nothing.
            if sender.send(voters).is_err() {
                channels.remove(poll_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_of_a_poll_get_its_updates_only() {
        let hub = Hub::default();
        let mut a = hub.subscribe("a");
        hub.publish("b", 7);
        hub.publish("a", 3);
        assert_eq!(a.recv().await.unwrap(), 3);
        drop(a);
        hub.publish("a", 4);
        assert!(hub.channels.lock().unwrap().is_empty());
    }
}
