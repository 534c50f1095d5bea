//! [`ResponseFuture`]: the answer to a preflight made here, or the inner
//! service's answer with the CORS headers added.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use corsica::policy::{OwnedResponseHeaders, REJECTION_HEADER};
use http::{HeaderValue, Response, StatusCode};
use pin_project_lite::pin_project;

pin_project! {
    /// The response future of [`Cors`](crate::Cors).
    ///
    /// It resolves at once for a preflight answered by the layer, and
    /// otherwise when the inner service's future does, with the CORS headers
    /// the policy decided added to its response. An error of the inner
    /// service is passed through unchanged (there is no response to add
    /// headers to).
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use http::{Request, Response};
    /// use tower::{Service, ServiceExt};
    /// use tower_layer::Layer;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
    /// let mut service = layer.layer(tower::service_fn(|_: Request<()>| async {
    ///     Ok::<_, Infallible>(Response::new(()))
    /// }));
    /// let request = Request::get("/").header("origin", "https://a.com").body(()).unwrap();
    /// let future: corsica_tower::ResponseFuture<_> =
    ///     service.ready().await.unwrap().call(request);
    /// let response = future.await.unwrap();
    /// assert_eq!(response.headers()["access-control-allow-origin"], "https://a.com");
    /// # }
    /// ```
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
        headers: Option<OwnedResponseHeaders>,
        explanation: Option<HeaderValue>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F> {
        Answered { status: StatusCode },
        Inner { #[pin] future: F },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn answered(
        status: StatusCode,
        headers: OwnedResponseHeaders,
        explanation: Option<HeaderValue>,
    ) -> Self {
        ResponseFuture {
            kind: Kind::Answered { status },
            headers: Some(headers),
            explanation,
        }
    }

    pub(crate) fn inner(
        future: F,
        headers: OwnedResponseHeaders,
        explanation: Option<HeaderValue>,
    ) -> Self {
        ResponseFuture {
            kind: Kind::Inner { future },
            headers: Some(headers),
            explanation,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.kind.project() {
            KindProj::Answered { status } => {
                let mut response = Response::new(B::default());
                *response.status_mut() = *status;
                response
            }
            KindProj::Inner { future } => ready!(future.poll(cx))?,
        };
        let headers = response.headers_mut();
        // Polled again after completion: no headers left to add (a contract
        // violation by the caller; we do not panic on it).
        if let Some(cors) = this.headers.take() {
            cors.apply_to(headers);
        }
        if let Some(explanation) = this.explanation.take() {
            headers.insert(REJECTION_HEADER.clone(), explanation);
        }
        Poll::Ready(Ok(response))
    }
}
