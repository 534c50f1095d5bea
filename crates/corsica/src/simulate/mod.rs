//! Drivers of the browser model that need no network: recorded cases
//! (`corsica simulate`), and a policy standing in for the server.
//!
//! A [`Case`] is a page, what a server answers at each URL, and the
//! `fetch()` calls the page makes; [`simulate_case`] plays them through
//! [`crate::fetch::Fetch`] and writes one [`Answer`] per request, in the
//! format the conformance runner records from real browsers
//! (`conformance/FORMAT.md`), so the two can be compared line by line.
//!
//! ```
//! use corsica::fetch::Browser;
//! use corsica::simulate::{Case, simulate_case};
//!
//! let case: Case = serde_json::from_str(r#"{
//!   "id": "get-no-acao", "origin": "http://app.test:8001",
//!   "server": {"http://api.test:8002/x": {"response": {"status": 200, "headers": []}}},
//!   "requests": [{"url": "http://api.test:8002/x"}]
//! }"#).unwrap();
//! let answers = simulate_case(&case, Browser::Chrome).unwrap();
//! assert_eq!(answers[0].error, Some("MissingAllowOriginHeader"));
//! ```

mod answer;
mod case;
mod policy_server;
mod run;

pub use answer::{Answer, CaseOutcome, Sent};
pub use case::{Case, CaseRequest, Endpoint, PAGE_PATH, PolicySpec, ServerAnswer};
pub use policy_server::{PolicyAnswer, answer_with_policy, serve_with_policy};
pub use run::{CaseError, PreparedCase, simulate_case, simulate_prepared, simulate_prepared_full};
