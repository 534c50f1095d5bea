//! [`Body`]: what the gateway answers with: nothing (preflights), a short
//! text of its own (errors, admin), or the upstream's body, streamed.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::metrics::{RouteMetrics, UpstreamError};

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
        // The upstream's body, passed on frame by frame.
        Upstream { #[pin] body: hyper::body::Incoming, metrics: Arc<RouteMetrics> },
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

    /// The upstream's body; a break in it is counted in `metrics`.
    pub(crate) fn upstream(body: hyper::body::Incoming, metrics: Arc<RouteMetrics>) -> Body {
        Body {
            kind: Kind::Upstream { body, metrics },
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
            KindProj::Upstream { body, metrics } => {
                let frame = body.poll_frame(cx);
                if let Poll::Ready(Some(Err(e))) = &frame {
                    // The head is sent: all that is left is to break the
                    // connection, so the client sees an incomplete body
                    // rather than a short one.
                    metrics.upstream_error(UpstreamError::Body);
                    tracing::warn!(target: "corsica_gateway", error = %e, "upstream body broke off; closing the client connection");
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
