//! The scenarios of jub0bs/cors-benchmarks, set up identically for
//! corsica-tower, tower-http's `CorsLayer` and actix-cors; shared by
//! `benches/service.rs` (time, divan) and `benches/instructions.rs`
//! (instruction counts, callgrind).

#![allow(dead_code)]

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

#[cfg(feature = "bench-actix")]
use actix_web::dev::{ServiceRequest, ServiceResponse};
use corsica::policy::PolicyConfig;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use tower_service::Service;

#[path = "../../../corsica/benches/scenarios/mod.rs"]
mod scenarios;
use scenarios::{long_host, origins};

/// A `&'static str` made once (header values that share their bytes).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

pub struct Setup {
    pub corsica: corsica_tower::CorsLayer,
    /// `None` where the peers have no comparable configuration (patterns).
    pub tower: Option<tower_http::cors::CorsLayer>,
}

const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

fn setup(origins: &'static [String]) -> Setup {
    let all = origins == ["*"];
    let config = PolicyConfig::default()
        .origins(origins.iter().cloned())
        .methods(METHODS)
        .request_headers(if all {
            vec!["*"]
        } else {
            vec!["Authorization", "Content-Type"]
        });
    let corsica = corsica_tower::CorsLayer::from_config(&config).unwrap_or_else(|e| panic!("{e}"));
    let patterns = origins.iter().any(|o| o.contains('*')) && !all;
    let tower = (!patterns).then(|| {
        use tower_http::cors::{AllowHeaders, AllowOrigin};
        let base = tower_http::cors::CorsLayer::new().allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
        ]);
        if all {
            base.allow_origin(AllowOrigin::any())
                .allow_headers(AllowHeaders::any())
        } else {
            base.allow_origin(AllowOrigin::list(
                origins.iter().map(|o| HeaderValue::from_str(o).unwrap()),
            ))
            .allow_headers([AUTHORIZATION, CONTENT_TYPE])
        }
    });
    Setup { corsica, tower }
}

#[cfg(feature = "bench-actix")]
/// The actix-cors equivalent (built on the bench thread: a `Cors` is not
/// `Sync`).
pub fn actix_policy(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::header;
    let base = actix_cors::Cors::default().allowed_methods(METHODS);
    if origins == ["*"] {
        base.allow_any_origin().send_wildcard().allow_any_header()
    } else {
        origins
            .iter()
            .fold(base, |c, o| c.allowed_origin(o))
            .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
    }
}

macro_rules! origins {
    ($name:ident, $scenario:expr) => {
        static $name: LazyLock<Vec<String>> = LazyLock::new(|| origins($scenario));
    };
}
origins!(ONE_O, "one");
origins!(TWO_O, "two");
origins!(MULTIPLE_O, "multiple");
origins!(MANY_O, "many");
origins!(MANY10K_O, "many10k");
origins!(ALL_O, "all");

static ONE: LazyLock<Setup> = LazyLock::new(|| setup(&ONE_O));
static TWO: LazyLock<Setup> = LazyLock::new(|| setup(&TWO_O));
static MULTIPLE: LazyLock<Setup> = LazyLock::new(|| setup(&MULTIPLE_O));
static MANY: LazyLock<Setup> = LazyLock::new(|| setup(&MANY_O));
static MANY10K: LazyLock<Setup> = LazyLock::new(|| setup(&MANY10K_O));
static ALL: LazyLock<Setup> = LazyLock::new(|| setup(&ALL_O));

pub const CASES: &[&str] = &[
    "one/actual/allowed",
    "one/actual/disallowed",
    "one/preflight/allowed",
    "one/preflight/allowed_acrh",
    "one/preflight/disallowed",
    "one/preflight/evil_acrh_1kib_commas",
    "one/preflight/evil_acrh_1mib_commas",
    "one/preflight/evil_acrh_1000_lines",
    "two/actual/allowed",
    "two/actual/disallowed",
    "two/preflight/allowed",
    "two/preflight/disallowed",
    "multiple/actual/allowed",
    "multiple/preflight/allowed",
    "multiple/preflight/disallowed",
    "many/actual/allowed",
    "many/actual/disallowed",
    "many/preflight/allowed",
    "many/preflight/disallowed",
    "many10k/actual/allowed",
    "many10k/preflight/allowed",
    "many10k/preflight/disallowed",
    "all/actual/allowed",
    "all/preflight/allowed",
    "all/preflight/evil_acrh_1kib_commas",
    "all/preflight/evil_acrh_1mib_commas",
    "all/preflight/evil_acrh_1000_lines",
];

/// Cases the peers can run: everything but the wildcard patterns.
pub const PEER_CASES: &[&str] = &[
    "one/actual/allowed",
    "one/actual/disallowed",
    "one/preflight/allowed",
    "one/preflight/allowed_acrh",
    "one/preflight/disallowed",
    "one/preflight/evil_acrh_1kib_commas",
    "one/preflight/evil_acrh_1mib_commas",
    "one/preflight/evil_acrh_1000_lines",
    "two/actual/allowed",
    "two/actual/disallowed",
    "two/preflight/allowed",
    "two/preflight/disallowed",
    "many/actual/allowed",
    "many/actual/disallowed",
    "many/preflight/allowed",
    "many/preflight/disallowed",
    "many10k/actual/allowed",
    "many10k/preflight/allowed",
    "many10k/preflight/disallowed",
    "all/actual/allowed",
    "all/preflight/allowed",
    "all/preflight/evil_acrh_1kib_commas",
    "all/preflight/evil_acrh_1mib_commas",
    "all/preflight/evil_acrh_1000_lines",
];

pub struct Case {
    pub setup: &'static Setup,
    /// The origin list (actix-cors is built per benchmark from it).
    pub origins: &'static [String],
    pub method: Method,
    /// Header lines, values `'static` so every library's request shares them.
    pub headers: Vec<(&'static str, &'static str)>,
    pub allowed: bool,
    pub preflight: bool,
}

static COMMAS_1K: LazyLock<&'static str> = LazyLock::new(|| leak(",".repeat(1024)));
static COMMAS_1M: LazyLock<&'static str> = LazyLock::new(|| leak(",".repeat(1 << 20)));

pub fn case(name: &str) -> Case {
    let mut parts = name.split('/');
    let (origins, request, outcome) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let (setup, list, allowed_origin): (&'static Setup, &'static [String], String) = match origins {
        "one" => (&ONE, &ONE_O, "https://example.com".into()),
        "two" => (&TWO, &TWO_O, format!("https://{}", long_host('z'))),
        "multiple" => (
            &MULTIPLE,
            &MULTIPLE_O,
            "https://deep.sub.example.com".into(),
        ),
        "many" => (&MANY, &MANY_O, "https://999.example.com".into()),
        "many10k" => (&MANY10K, &MANY10K_O, "https://09999.example.com".into()),
        "all" => (&ALL, &ALL_O, "https://example.com".into()),
        _ => panic!("unknown case {name}"),
    };
    let origin = match outcome {
        "disallowed" if origins == "two" => format!("https://{}", long_host('y')),
        "disallowed" => "https://evil.example.org".into(),
        _ => allowed_origin,
    };
    let mut headers = vec![("origin", leak(origin))];
    let preflight = request == "preflight";
    let method = if preflight {
        headers.push(("access-control-request-method", "PUT"));
        let acrh = "access-control-request-headers";
        match outcome {
            "allowed_acrh" => headers.push((acrh, "authorization,content-type")),
            "evil_acrh_1kib_commas" => headers.push((acrh, *COMMAS_1K)),
            "evil_acrh_1mib_commas" => headers.push((acrh, *COMMAS_1M)),
            "evil_acrh_1000_lines" => {
                headers.extend(std::iter::repeat_n((acrh, "content-type"), 1000))
            }
            _ => {}
        }
        Method::OPTIONS
    } else {
        Method::GET
    };
    Case {
        setup,
        origins: list,
        method,
        headers,
        allowed: matches!(outcome, "allowed" | "allowed_acrh"),
        preflight,
    }
}

impl Case {
    /// The request, its header map grown as `Request::builder` grows it
    /// (the http crate's first allocation has room for 6 lines), not made
    /// to its exact size: a server hands over maps with room to spare
    /// (hyper parses each request of a connection into the previous
    /// response's map), and corsica-tower writes a preflight's answer into
    /// the request's map when it fits.
    pub fn request(&self) -> Request<()> {
        let mut map = HeaderMap::new();
        for (n, v) in &self.headers {
            map.append(*n, HeaderValue::from_static(v));
        }
        let mut r = Request::new(());
        *r.method_mut() = self.method.clone();
        *r.headers_mut() = map;
        r
    }

    #[cfg(feature = "bench-actix")]
    pub fn actix_request(&self) -> ServiceRequest {
        use actix_web::http::header::HeaderValue as AHeaderValue;
        let method = actix_web::http::Method::from_bytes(self.method.as_str().as_bytes()).unwrap();
        let mut t = actix_web::test::TestRequest::default().method(method);
        for (n, v) in &self.headers {
            t = t.append_header((*n, AHeaderValue::from_static(v)));
        }
        t.to_srv_request()
    }
}

/// The inner tower service: 200 at once, handing the request back in the
/// body so that its drop is not timed.
#[derive(Clone, Copy)]
pub struct Inner;

pub type TowerResponse = Response<Option<Request<()>>>;

impl Service<Request<()>> for Inner {
    type Response = TowerResponse;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, request: Request<()>) -> Self::Future {
        ready(Ok(Response::new(Some(request))))
    }
}

/// The actix inner service: 200 at once, the request kept in the response
/// (as actix always does), so that its drop is not timed.
#[cfg(feature = "bench-actix")]
pub fn actix_inner() -> impl actix_web::dev::Service<
    ServiceRequest,
    Response = ServiceResponse,
    Error = actix_web::Error,
    Future = impl Future<Output = Result<ServiceResponse, actix_web::Error>>,
> {
    actix_web::dev::fn_service(|request: ServiceRequest| async move {
        Ok::<ServiceResponse, actix_web::Error>(
            request.into_response(actix_web::HttpResponse::Ok().finish()),
        )
    })
}

/// Polls a future that is ready at once, with a no-op waker.
#[inline(always)]
pub fn poll_now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("every future here is ready at once"),
    }
}

/// One whole middleware call on a tower service: `call`, then the response
/// future polled to completion.
#[inline(always)]
pub fn tower_call<S>(service: &mut S, request: Request<()>) -> TowerResponse
where
    S: Service<Request<()>, Response = TowerResponse, Error = Infallible>,
{
    match poll_now(service.call(request)) {
        Ok(response) => response,
        Err(e) => match e {},
    }
}
