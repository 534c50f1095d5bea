//! Instruction counts of one whole middleware call, for callgrind: the
//! load-independent companion of `benches/service.rs`.
//!
//! ```sh
//! cargo bench -p corsica-tower --features bench-actix --bench instructions --no-run
//! crates/corsica-tower/benches/instructions.sh          # every library and case
//! ```
//!
//! By hand: `valgrind --tool=callgrind --toggle-collect='instructions::measure_*'
//! target/release/deps/instructions-HASH LIB CASE N`, where LIB is
//! `corsica`, `tower-http`, `actix` or `drop` (the request's drop alone),
//! then divide the `Collected` total by N. Only the `measure_*` functions
//! are counted: `Service::call` and the response future polled to
//! completion. The N requests are built before and the N outputs dropped
//! after, outside the counted region, identically for every library; a few
//! warm-up calls go first (thread-locals, lazily registered callsites).

#[path = "cases/mod.rs"]
mod cases;

use std::convert::Infallible;

#[cfg(feature = "bench-actix")]
use actix_web::dev::{Service as _, ServiceRequest, Transform as _};
#[cfg(feature = "bench-actix")]
use cases::poll_now;
use cases::{Case, TowerResponse, case, tower_call};
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

const WARM_UP: usize = 16;

#[inline(never)]
fn measure_corsica<S>(service: &mut S, request: Request<()>) -> TowerResponse
where
    S: Service<Request<()>, Response = TowerResponse, Error = Infallible>,
{
    tower_call(service, request)
}

#[inline(never)]
fn measure_tower_http<S>(service: &mut S, request: Request<()>) -> TowerResponse
where
    S: Service<Request<()>, Response = TowerResponse, Error = Infallible>,
{
    tower_call(service, request)
}

#[inline(never)]
fn measure_drop(request: Request<()>) {
    drop(request)
}

// The same calls with the drop of their output counted too (LIB `+drop`):
// everything a server pays per request, wherever each library drops the
// request (a tower middleware answering a preflight inside its call,
// actix-cors with its response).

#[inline(never)]
fn measure_corsica_with_drops<S>(service: &mut S, request: Request<()>)
where
    S: Service<Request<()>, Response = TowerResponse, Error = Infallible>,
{
    drop(tower_call(service, request))
}

#[inline(never)]
fn measure_tower_http_with_drops<S>(service: &mut S, request: Request<()>)
where
    S: Service<Request<()>, Response = TowerResponse, Error = Infallible>,
{
    drop(tower_call(service, request))
}

#[cfg(feature = "bench-actix")]
#[inline(never)]
fn measure_actix_with_drops<S>(service: &S, request: ServiceRequest)
where
    S: actix_web::dev::Service<ServiceRequest>,
{
    drop(poll_now(service.call(request)))
}

#[cfg(feature = "bench-actix")]
#[inline(never)]
fn measure_actix<S>(service: &S, request: ServiceRequest) -> Result<S::Response, S::Error>
where
    S: actix_web::dev::Service<ServiceRequest>,
{
    poll_now(service.call(request))
}

fn run_tower<S, O>(c: &Case, n: usize, mut service: S, measure: fn(&mut S, Request<()>) -> O)
where
    S: Service<Request<()>, Response = TowerResponse, Error = Infallible>,
{
    for _ in 0..WARM_UP {
        drop(tower_call(&mut service, c.request()));
    }
    let first = tower_call(&mut service, c.request());
    for k in batches(n) {
        let requests: Vec<_> = (0..k).map(|_| c.request()).collect();
        let mut out = Vec::with_capacity(k);
        for r in requests {
            out.push(measure(&mut service, r));
        }
    }
    report_answer(
        c,
        first.headers().contains_key("access-control-allow-origin"),
    );
}

/// Calls per batch: as in the wall-clock bench (divan, 32 calls per
/// sample), the requests of a batch are built before it and its outputs
/// dropped after it, outside the count. Keeping every output until the end
/// instead would empty actix-web's pools of request and response heads
/// (they hold 128) and charge actix-cors for `malloc`'s slow path, which no
/// server sees.
const BATCH: usize = 32;

/// The sizes of the batches that make `n` calls.
fn batches(n: usize) -> impl Iterator<Item = usize> {
    (0..n.div_ceil(BATCH)).map(move |i| BATCH.min(n - i * BATCH))
}

/// Prints `answer: agrees`, or `answer: allows` / `answer: rejects` when the
/// library's answer (whether it sent `Access-Control-Allow-Origin`)
/// differs from the case's expected one: the call is counted either way,
/// and the script writes the disagreement next to the count.
fn report_answer(c: &Case, allowed: bool) {
    let answer = if allowed == c.allowed {
        "agrees"
    } else if allowed {
        "allows"
    } else {
        "rejects"
    };
    println!("answer: {answer}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Test runners (cargo test --benches, nextest's `--list --format
    // terse`, `--bench`) call every bench target: this one holds no tests,
    // so it lists none and exits.
    if args.iter().skip(1).any(|a| a.starts_with("--")) {
        return;
    }
    let [_, lib, name, n] = &args[..] else {
        eprintln!(
            "usage: instructions LIB CASE N (LIB: corsica, tower-http, actix, each with or without +drop; drop)"
        );
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N is a number");
    let c = case(name);
    match lib.as_str() {
        "corsica" => run_tower(&c, n, c.setup.corsica.layer(cases::Inner), measure_corsica),
        "corsica+drop" => run_tower(
            &c,
            n,
            c.setup.corsica.layer(cases::Inner),
            measure_corsica_with_drops,
        ),
        "tower-http" | "tower-http+drop" => {
            let Some(layer) = c.setup.tower.as_ref() else {
                eprintln!("no tower-http setup for this case");
                std::process::exit(2);
            };
            if lib == "tower-http" {
                run_tower(&c, n, layer.layer(cases::Inner), measure_tower_http)
            } else {
                run_tower(
                    &c,
                    n,
                    layer.layer(cases::Inner),
                    measure_tower_http_with_drops,
                )
            }
        }
        "drop" => {
            let requests: Vec<_> = (0..n).map(|_| c.request()).collect();
            for r in requests {
                measure_drop(r);
            }
        }
        #[cfg(feature = "bench-actix")]
        "actix" | "actix+drop" => {
            // Neither peer has origin patterns: no comparable setup.
            if c.setup.tower.is_none() {
                eprintln!("no actix-cors setup for this case");
                std::process::exit(2);
            }
            actix(&c, n, lib == "actix+drop")
        }
        _ => {
            eprintln!("unknown library {lib}");
            std::process::exit(2);
        }
    }
}

#[cfg(feature = "bench-actix")]
fn actix(c: &Case, n: usize, with_drops: bool) {
    let middleware = poll_now(cases::actix_policy(c.origins).new_transform(cases::actix_inner()))
        .expect("actix-cors setup");
    let system = actix_web::rt::System::new();
    system.block_on(async {
        for _ in 0..WARM_UP {
            drop(poll_now(middleware.call(c.actix_request())));
        }
        let first = poll_now(middleware.call(c.actix_request()))
            .ok()
            .map(|r| r.headers().contains_key("access-control-allow-origin"));
        for k in batches(n) {
            let requests: Vec<_> = (0..k).map(|_| c.actix_request()).collect();
            if with_drops {
                for r in requests {
                    measure_actix_with_drops(&middleware, r);
                }
            } else {
                let mut out = Vec::with_capacity(k);
                for r in requests {
                    out.push(measure_actix(&middleware, r));
                }
            }
        }
        report_answer(c, first.unwrap_or(false));
    });
}
