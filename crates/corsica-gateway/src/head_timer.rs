//! hyper's header read timeout (`limits.header_read_timeout`), and the
//! upstream timeout of a request forwarded on an HTTP/1.1 connection
//! ([`RequestDeadline`]), without a tokio timer per request.
//!
//! hyper starts the header read timeout each time it waits for a request
//! head, which on a keep-alive connection is once per request: with
//! hyper-util's `TokioTimer`, each start allocated a tokio `Sleep`,
//! registered it in tokio's timer wheel when the socket had nothing to read
//! yet (the usual case: the head comes after the previous answer), and
//! removed it from the wheel when the head arrived. That was about 700
//! instructions per request, and 6% of the instruction-cache misses of a
//! preflight.
//!
//! Here each HTTP/1.1 connection has its own [`HeadTimer`]. When hyper
//! starts waiting for a head, the timer publishes the deadline in the
//! connection's [`HeadClock`]; when the head has come, the connection's
//! service withdraws it ([`HeadClock::head_received`], the first thing it
//! does for each request). The timer that wakes the connection is the one
//! its supervisor (in `server.rs`) keeps for the idle timeout. The
//! supervisor re-arms that timer only when the head's deadline is earlier
//! than the time it is armed for, so on a busy connection it fires about
//! once per `header_read_timeout` instead of being registered and removed
//! for every request. When it fires and the head's deadline has passed,
//! the supervisor ends the connection, as hyper did with tokio's timer
//! (the fault tests check a head that never ends is cut off).
//!
//! The sleep handed to hyper is therefore empty (it never completes and
//! holds nothing): hyper boxes a new one for every head, and a box of
//! nothing is not allocated, which spares a `malloc` and a `free` per
//! request (the only ones of a preflight) and their code in the
//! instruction cache.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// The deadline of the request head a connection is reading, shared by
/// the connection's [`HeadTimer`] (which sets it) and its supervisor
/// (which makes sure the connection is woken by then).
#[derive(Debug)]
pub(crate) struct HeadClock {
    /// The gateway's start: deadlines are kept as milliseconds since.
    base: Instant,
    /// Milliseconds since `base` (rounded up) by which the head being read
    /// must be complete; [`NONE`] when no head is awaited.
    deadline: AtomicU64,
    /// The same for the upstream's answer to the request being forwarded
    /// (HTTP/1.1 serves one request at a time per connection); [`NONE`]
    /// when none is.
    request: AtomicU64,
}

/// No head awaited.
const NONE: u64 = u64::MAX;

impl HeadClock {
    pub(crate) fn new(base: Instant) -> HeadClock {
        HeadClock {
            base,
            deadline: AtomicU64::new(NONE),
            request: AtomicU64::new(NONE),
        }
    }

    /// Milliseconds since the base, rounded up.
    pub(crate) fn millis(&self, at: Instant) -> u64 {
        let d = at.saturating_duration_since(self.base);
        d.as_secs() * 1000 + u64::from(d.subsec_nanos().div_ceil(1_000_000))
    }

    /// The instant `millis` milliseconds after the base.
    pub(crate) fn instant(&self, millis: u64) -> Instant {
        self.base + Duration::from_millis(millis)
    }

    /// The head awaited has come: its deadline no longer holds.
    #[inline]
    pub(crate) fn head_received(&self) {
        self.deadline.store(NONE, Ordering::Relaxed);
    }

    /// The deadline of the head being read, if one is awaited.
    pub(crate) fn head_deadline(&self) -> Option<u64> {
        match self.deadline.load(Ordering::Relaxed) {
            NONE => None,
            ms => Some(ms),
        }
    }

    /// Publishes the deadline of the head hyper starts waiting for.
    fn head_awaited(&self, deadline: Instant) {
        self.deadline
            .store(self.millis(deadline), Ordering::Relaxed);
    }

    /// The earliest deadline the connection must be woken by: the head
    /// being read, or the upstream's answer to the request being
    /// forwarded; `None` when neither is awaited.
    pub(crate) fn deadline(&self) -> Option<u64> {
        match self
            .deadline
            .load(Ordering::Relaxed)
            .min(self.request.load(Ordering::Relaxed))
        {
            NONE => None,
            ms => Some(ms),
        }
    }

    /// A forwarded request's timeout, published for the supervisor: the
    /// request's future (polled by the connection's task) checks it with
    /// [`RequestDeadline::passed`] when woken.
    pub(crate) fn request_deadline(self: &Arc<Self>, at: Instant) -> RequestDeadline {
        let ms = self.millis(at);
        self.request.store(ms, Ordering::Relaxed);
        RequestDeadline {
            clock: self.clone(),
            ms,
        }
    }
}

/// The timeout of one forwarded request on an HTTP/1.1 connection: no
/// tokio timer; the connection's supervisor wakes the task by
/// [`HeadClock::deadline`]. Withdrawn when dropped.
#[derive(Debug)]
pub(crate) struct RequestDeadline {
    clock: Arc<HeadClock>,
    ms: u64,
}

impl RequestDeadline {
    /// Whether the deadline has passed.
    pub(crate) fn passed(&self) -> bool {
        self.clock.millis(Instant::now()) >= self.ms
    }
}

impl Drop for RequestDeadline {
    fn drop(&mut self) {
        // Only its own: a later request may have published another.
        let _ = self.clock.request.compare_exchange(
            self.ms,
            NONE,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }
}

/// hyper's timer for one HTTP/1.1 connection (see the module's text).
#[derive(Clone, Debug)]
pub(crate) struct HeadTimer {
    clock: Arc<HeadClock>,
}

impl HeadTimer {
    pub(crate) fn new(clock: Arc<HeadClock>) -> HeadTimer {
        HeadTimer { clock }
    }
}

impl Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        self.clock.head_awaited(deadline);
        Box::pin(HeadSleep)
    }

    fn reset(&self, _: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        self.clock.head_awaited(new_deadline);
    }
}

/// The sleep [`HeadTimer`] gives hyper: it never completes, since the
/// connection's supervisor enforces the deadline the timer published (see
/// the module's text), and it holds nothing, so its box is no allocation.
struct HeadSleep;

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Sleep for HeadSleep {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_deadline_is_published_until_the_head_is_received() {
        let base = Instant::now();
        let clock = Arc::new(HeadClock::new(base));
        let timer = HeadTimer::new(clock.clone());
        assert_eq!(clock.deadline(), None);
        let mut sleep = timer.sleep_until(base + Duration::from_millis(1500));
        assert_eq!(clock.deadline(), Some(1500));
        assert_eq!(clock.head_deadline(), Some(1500));
        timer.reset(&mut sleep, base + Duration::from_micros(2_000_001));
        // Rounded up: the supervisor never acts too early.
        assert_eq!(clock.deadline(), Some(2001));
        clock.head_received();
        assert_eq!(clock.deadline(), None);
        assert_eq!(clock.head_deadline(), None);
        // The sleep itself holds nothing and never completes: the
        // supervisor enforces the deadline.
        assert_eq!(std::mem::size_of::<HeadSleep>(), 0);
        let cx = &mut Context::from_waker(std::task::Waker::noop());
        let mut past = timer.sleep_until(Instant::now() - Duration::from_millis(1));
        assert!(past.as_mut().poll(cx).is_pending());
        assert!(clock.head_deadline().is_some());
        drop((sleep, past));
    }

    #[test]
    fn a_request_deadline_is_published_until_dropped_and_passes() {
        let base = Instant::now();
        let clock = Arc::new(HeadClock::new(base));
        let late = clock.request_deadline(base + Duration::from_secs(3600));
        assert_eq!(clock.deadline(), Some(3_600_000));
        assert!(!late.passed());
        // The earliest of the head's and the request's.
        let timer = HeadTimer::new(clock.clone());
        let head = timer.sleep_until(base + Duration::from_secs(10));
        assert_eq!(clock.deadline(), Some(10_000));
        clock.head_received();
        drop(head);
        assert_eq!(clock.deadline(), Some(3_600_000));
        drop(late);
        assert_eq!(clock.deadline(), None);
        let past = clock.request_deadline(Instant::now() - Duration::from_millis(5));
        assert!(past.passed());
        // A deadline dropped after a newer one was published leaves it.
        let newer = clock.request_deadline(base + Duration::from_secs(20));
        drop(past);
        assert_eq!(clock.deadline(), Some(20_000));
        drop(newer);
    }

    #[test]
    fn millis_and_instant_agree() {
        let base = Instant::now();
        let clock = HeadClock::new(base);
        assert_eq!(clock.millis(base), 0);
        assert_eq!(clock.millis(clock.instant(12_345)), 12_345);
        // Before the base: zero, not a wrap.
        assert_eq!(clock.millis(base - Duration::from_secs(1)), 0);
    }
}
