//! Server-sent event streams of one topic: the shared frames as they come, a keep-alive
//! comment every [`KEEP_ALIVE`], the end when the endpoint shuts down.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use tokio::sync::broadcast::{self, error::RecvError};

use super::error::{ApiError, Result};
use crate::live::Signal;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `text/event-stream` of what `updates` receives; `None` (the endpoint is stopping)
/// answers 503.
pub fn stream(updates: Option<broadcast::Receiver<Signal>>) -> Result<Response> {
    let mut updates = updates.ok_or(ApiError::ShuttingDown)?;
    let frames = async_stream::stream! {
        // One timer for the stream's life, not one per event: tens of thousands of streams
        // each woken several times a second would otherwise keep the timer wheel busy.
        let mut keep_alive = tokio::time::interval_at(
            tokio::time::Instant::now() + KEEP_ALIVE,
            KEEP_ALIVE,
        );
        keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                next = updates.recv() => match next {
                    Ok(signal) => yield Ok::<_, std::convert::Infallible>(signal.frame),
                    // Skipped ahead: the next signal is the newest state anyway.
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                },
                _ = keep_alive.tick() => yield Ok(Bytes::from_static(b":\n\n")),
            }
        }
    };
    let mut response = Body::from_stream(frames).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Proxies that buffer responses (nginx) pass this one on as it comes.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}
