//! [`ResponseFuture`]: the answer to a preflight made here, or the inner
//! service's answer with the CORS headers added.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use corsica::policy::{OwnedResponseHeaders, REJECTION_HEADER};
use http::{HeaderValue, Response};
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
    /// let future: corsica_tower::ResponseFuture<_, _> =
    ///     service.ready().await.unwrap().call(request);
    /// let response = future.await.unwrap();
    /// assert_eq!(response.headers()["access-control-allow-origin"], "https://a.com");
    /// # }
    /// ```
    pub struct ResponseFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, B> {
        // A preflight answered by the layer, built in `call`.
        Answered { response: Option<Response<B>> },
        // The inner service's answer, and what to add to it.
        Inner {
            #[pin]
            future: F,
            headers: Option<OwnedResponseHeaders>,
            explanation: Option<HeaderValue>,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn answered(response: Response<B>) -> Self {
        ResponseFuture {
            kind: Kind::Answered {
                response: Some(response),
            },
        }
    }

    /// The inner service's answer, passed on as it is (shadow mode).
    pub(crate) fn untouched(future: F) -> Self {
        ResponseFuture {
            kind: Kind::Inner {
                future,
                headers: None,
                explanation: None,
            },
        }
    }

    /// Whether the layer answered the request itself (a preflight, allowed
    /// or not): then the future is ready at its first poll and never uses
    /// the waker, so a server can take the answer at once (polling with
    /// [`Waker::noop`](std::task::Waker::noop)) instead of boxing or
    /// storing the future.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context, Poll, Waker};
    /// use http::{Method, Request, Response, StatusCode};
    /// use tower::Service;
    /// use tower_layer::Layer;
    ///
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
    /// let mut service = layer.layer(tower::service_fn(|_: Request<()>| async {
    ///     Ok::<_, Infallible>(Response::new(()))
    /// }));
    /// let preflight = Request::builder()
    ///     .method(Method::OPTIONS)
    ///     .header("origin", "https://a.com")
    ///     .header("access-control-request-method", "GET")
    ///     .body(())
    ///     .unwrap();
    /// let future = service.call(preflight);
    /// assert!(future.is_answered());
    /// let Poll::Ready(Ok(answer)) = pin!(future).poll(&mut Context::from_waker(Waker::noop())) else {
    ///     unreachable!("an answered future is ready at once");
    /// };
    /// assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    /// let get = Request::get("/").header("origin", "https://a.com").body(()).unwrap();
    /// assert!(!service.call(get).is_answered());
    /// ```
    pub fn is_answered(&self) -> bool {
        matches!(&self.kind, Kind::Answered { response: Some(_) })
    }

    pub(crate) fn inner(
        future: F,
        headers: OwnedResponseHeaders,
        explanation: Option<HeaderValue>,
    ) -> Self {
        ResponseFuture {
            kind: Kind::Inner {
                future,
                headers: Some(headers),
                explanation,
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Answered { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after completion: a contract violation by
                // the caller; stay pending rather than panic.
                None => Poll::Pending,
            },
            KindProj::Inner {
                future,
                headers,
                explanation,
            } => {
                let mut response = ready!(future.poll(cx))?;
                let map = response.headers_mut();
                if let Some(cors) = headers.take() {
                    cors.apply_to(map);
                }
                if let Some(explanation) = explanation.take() {
                    map.insert(REJECTION_HEADER.clone(), explanation);
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
