//! [`Body`]: what the gateway answers with: nothing (preflights), a short
//! text of its own (errors, admin), or the upstream's body, streamed.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::metrics::{RouteMetrics, UpstreamError};
use crate::upstream::Checkin;

pin_project_lite::pin_project! {
    /// A response body of the gateway. `Default` is the empty body (what
    /// the CORS layer answers preflights with).
    #[derive(Debug, Default)]
    pub struct Body {
        #[pin]
        kind: Kind,
    }
}

pin_project_lite::pin_project! {
    #[project = KindProj]
    #[derive(Debug, Default)]
    enum Kind {
        #[default]
        Empty,
        // Bytes made by the gateway, sent in one frame.
        Full { data: Option<Bytes> },
        // The upstream's body, passed on frame by frame; its connection
        // goes back to the pool when the body has been read to its end.
        Upstream {
            #[pin] body: hyper::body::Incoming,
            metrics: Arc<RouteMetrics>,
            checkin: Option<Checkin>,
        },
    }
}

impl Body {
    /// A body of the gateway's own.
    pub fn full(data: impl Into<Bytes>) -> Body {
        let data = data.into();
        let kind = if data.is_empty() {
            Kind::Empty
        } else {
            Kind::Full { data: Some(data) }
        };
        Body { kind }
    }

    /// The upstream's body; a break in it is counted in `metrics`. Its
    /// connection (`checkin`, HTTP/1.1) goes back to the pool when the
    /// body has been read to its end: at once when it is empty.
    pub(crate) fn upstream(
        body: hyper::body::Incoming,
        metrics: Arc<RouteMetrics>,
        mut checkin: Option<Checkin>,
    ) -> Body {
        if http_body::Body::is_end_stream(&body)
            && let Some(c) = checkin.take()
        {
            c.done();
        }
        Body {
            kind: Kind::Upstream {
                body,
                metrics,
                checkin,
            },
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        match self.project().kind.project() {
            KindProj::Empty => Poll::Ready(None),
            KindProj::Full { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            KindProj::Upstream {
                mut body,
                metrics,
                checkin,
            } => {
                let frame = body.as_mut().poll_frame(cx);
                match &frame {
                    Poll::Ready(Some(Err(e))) => {
                        // The head is sent: all that is left is to break
                        // the connection, so the client sees an incomplete
                        // body rather than a short one.
                        metrics.upstream_error(UpstreamError::Body);
                        tracing::warn!(target: "corsica_gateway", error = %e, "upstream body broke off; closing the client connection");
                        // The connection is closed: not given back.
                        checkin.take();
                    }
                    // hyper's server stops polling once `is_end_stream`
                    // says the end is reached (a known length), so the end
                    // is checked after each frame, not only at `None` (a
                    // chunked body, whose end only `None` tells).
                    Poll::Ready(None) => {
                        if let Some(c) = checkin.take() {
                            c.done();
                        }
                    }
                    Poll::Ready(Some(Ok(_))) if body.is_end_stream() => {
                        if let Some(c) = checkin.take() {
                            c.done();
                        }
                    }
                    _ => {}
                }
                frame
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full { data } => data.is_none(),
            Kind::Upstream { body, .. } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full { data } => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            Kind::Upstream { body, .. } => body.size_hint(),
        }
    }
}
