//! Server-sent event streams of one topic, ended cleanly when the endpoint shuts down.

use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast::{self, error::RecvError};

use super::error::{ApiError, Result};
use crate::live::Signal;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `text/event-stream` of what `updates` receives, with keep-alive comments; `None` (the
/// endpoint is stopping) answers 503.
pub fn stream(updates: Option<broadcast::Receiver<Signal>>) -> Result<Response> {
    let mut updates = updates.ok_or(ApiError::ShuttingDown)?;
    let stream = async_stream::stream! {
        loop {
            match updates.recv().await {
                Ok(signal) => yield Ok::<_, std::convert::Infallible>(Event::default().event(&*signal.event).data(&*signal.data)),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response())
}
