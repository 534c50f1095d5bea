use std::collections::BTreeSet;

use super::judge::invalid_value;
use super::*;
use crate::Origin;
use crate::fetch::ResponseHead;

const APP: &str = "https://app.example.com";
const URL: &str = "https://api.example.com/items";

fn plan() -> Plan {
    let label = Label::new("qzxkvwpt").unwrap();
    Plan::new(URL, &[Origin::parse(APP).unwrap()], &label).unwrap()
}

/// A server: what it answers a probe.
type Server = fn(&Probe) -> ResponseHead<'static>;

fn head(pairs: &[(&str, &str)]) -> ResponseHead<'static> {
    let mut h = ResponseHead::new(200);
    for (n, v) in pairs {
        h.push(n.to_string(), v.to_string());
    }
    h
}

/// Allows `origin` with credentials and `Vary: Origin` when `ok`, answers
/// a preflight with the usual lists.
fn allow_if(probe: &Probe, ok: bool) -> ResponseHead<'static> {
    let mut h = ResponseHead::new(if probe.preflight.is_some() { 204 } else { 200 });
    h.push("Vary", "Origin");
    if ok {
        h.push("Access-Control-Allow-Origin", probe.origin.clone());
        h.push("Access-Control-Allow-Credentials", "true");
        if probe.preflight.is_some() {
            h.push("Access-Control-Allow-Methods", "GET, POST, PUT");
            h.push("Access-Control-Allow-Headers", "content-type");
        }
    }
    h
}

fn run(server: Server) -> Vec<Found> {
    let plan = plan();
    let answers: Vec<_> = plan.probes().iter().map(|p| Some(server(p))).collect();
    plan.judge(&answers)
}

fn classes(found: &[Found]) -> BTreeSet<&'static str> {
    found.iter().map(|f| f.class.name()).collect()
}

fn host(origin: &str) -> &str {
    origin.split_once("://").map_or("", |(_, h)| h)
}

#[test]
fn each_server_shows_exactly_its_class() {
    let cases: &[(&str, Server, &[&str])] = &[
        ("exact allowlist", |p| allow_if(p, p.origin == APP), &[]),
        (
            "public *",
            |_| head(&[("Access-Control-Allow-Origin", "*")]),
            &["wildcard"],
        ),
        ("echo", |p| allow_if(p, true), &["reflected-origin"]),
        (
            "null allowed",
            |p| allow_if(p, p.origin == APP || p.origin == "null"),
            &["null-origin"],
        ),
        (
            "startsWith",
            |p| allow_if(p, p.origin.starts_with(APP)),
            &["prefix-match"],
        ),
        (
            "endsWith without the dot",
            |p| allow_if(p, p.origin.ends_with("example.com")),
            &["suffix-match"],
        ),
        (
            "contains",
            |p| allow_if(p, p.origin.contains("app.example.com")),
            &["substring-match"],
        ),
        (
            "allowlist contains the origin",
            |p| allow_if(p, !p.origin.is_empty() && APP.contains(p.origin.as_str())),
            &["substring-match"],
        ),
        (
            "regex with unescaped dots",
            |p| {
                let h = host(&p.origin).as_bytes();
                let ok = p.origin.starts_with("https://")
                    && h.len() == "app.example.com".len()
                    && h.iter()
                        .zip(b"app.example.com")
                        .all(|(a, b)| *b == b'.' || a == b);
                allow_if(p, ok)
            },
            &["unescaped-dot"],
        ),
        (
            "host cut at the first odd character",
            |p| {
                let h = host(&p.origin);
                let end = h
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                    .unwrap_or(h.len());
                allow_if(
                    p,
                    p.origin.starts_with("https://") && &h[..end] == "app.example.com",
                )
            },
            &["special-characters"],
        ),
        (
            "every https subdomain",
            |p| {
                let ok =
                    p.origin.starts_with("https://") && host(&p.origin).ends_with(".example.com");
                allow_if(p, ok)
            },
            &["any-subdomain"],
        ),
        (
            "http too",
            |p| allow_if(p, p.origin == APP || p.origin == "http://app.example.com"),
            &["insecure-origin"],
        ),
        (
            "github pages",
            |p| allow_if(p, p.origin == APP || p.origin.ends_with(".github.io")),
            &["third-party-origin"],
        ),
        (
            "a development leftover",
            |p| allow_if(p, p.origin == APP || p.origin == "http://localhost:3000"),
            &["private-origin"],
        ),
        (
            "two origins in one header",
            |_| {
                head(&[(
                    "Access-Control-Allow-Origin",
                    "https://app.example.com, https://admin.example.com",
                )])
            },
            &["invalid-value"],
        ),
        (
            "* with credentials",
            |_| {
                head(&[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                ])
            },
            &["invalid-value"],
        ),
        (
            "no Vary",
            |p| {
                let mut h = ResponseHead::new(200);
                if p.origin == APP {
                    h.push("Access-Control-Allow-Origin", APP);
                }
                h
            },
            &["missing-vary"],
        ),
        (
            "decodes and echoes the origin into a debug header",
            |p| {
                let mut h = allow_if(p, p.origin == APP);
                let decoded = p
                    .origin
                    .replace("%0d", "\r")
                    .replace("%0a", "\n")
                    .replace("%20", " ");
                let mut lines = decoded.split("\r\n");
                h.push("X-Debug-Origin", lines.next().unwrap().to_owned());
                for line in lines {
                    if let Some((n, v)) = line.split_once(':') {
                        h.push(n.to_owned(), v.trim().to_owned());
                    }
                }
                h
            },
            &["crlf-injection"],
        ),
        (
            "preflight echoes what is asked",
            |p| {
                let mut h = allow_if(p, p.origin == APP);
                if let (Some(pre), true) = (&p.preflight, p.origin == APP) {
                    h = head(&[
                        ("Access-Control-Allow-Origin", APP),
                        ("Access-Control-Allow-Credentials", "true"),
                        ("Access-Control-Allow-Methods", &pre.method),
                        ("Access-Control-Allow-Headers", &pre.headers),
                        ("Vary", "Origin"),
                    ]);
                }
                h
            },
            &["permissive-preflight"],
        ),
    ];
    for (name, server, want) in cases {
        let found = run(*server);
        let want: BTreeSet<&str> = want.iter().copied().collect();
        assert_eq!(classes(&found), want, "{name}: {found:#?}");
    }
}

#[test]
fn severity_follows_credentials_and_vary() {
    // Echo with credentials: critical.
    let found = run(|p| allow_if(p, true));
    assert_eq!(found[0].severity, Severity::Critical);
    assert!(found[0].credentials);
    // Echo without credentials, with Vary: info (what `*` is).
    let found = run(|p| {
        head(&[
            ("Access-Control-Allow-Origin", p.origin.as_str()),
            ("Vary", "Origin"),
        ])
    });
    assert_eq!(classes(&found), BTreeSet::from(["reflected-origin"]));
    assert_eq!(found[0].severity, Severity::Info);
    // ... without Vary: low, and the missing Vary is its own finding.
    let found = run(|p| head(&[("Access-Control-Allow-Origin", p.origin.as_str())]));
    assert_eq!(
        classes(&found),
        BTreeSet::from(["reflected-origin", "missing-vary"])
    );
    assert!(found.iter().all(|f| f.severity == Severity::Low));
    // `*` is informational.
    let found = run(|_| head(&[("Access-Control-Allow-Origin", "*")]));
    assert_eq!(found[0].severity, Severity::Info);

    assert_eq!(severity(Class::PrefixMatch, true, true), Severity::High);
    assert_eq!(severity(Class::AnySubdomain, false, true), Severity::Info);
    assert_eq!(severity(Class::AnySubdomain, true, true), Severity::Medium);
    assert_eq!(severity(Class::CrlfInjection, false, false), Severity::High);
    for c in Class::ALL {
        // Credentials never lower a severity; Vary never raises one.
        for v in [true, false] {
            assert!(severity(c, true, v) >= severity(c, false, v), "{c}");
        }
        assert!(severity(c, false, false) >= severity(c, false, true), "{c}");
    }
}

#[test]
fn probes_carry_the_label_and_cover_every_class() {
    let plan = plan();
    let probed: BTreeSet<Class> = plan.probes().iter().filter_map(|p| p.class).collect();
    for c in Class::ALL {
        // Wildcard, invalid values and Vary are read from every answer.
        if !matches!(
            c,
            Class::Wildcard | Class::InvalidValue | Class::MissingVary
        ) {
            assert!(probed.contains(&c), "no probe for {c}");
        }
    }
    let with_label = plan
        .probes()
        .iter()
        .filter(|p| p.origin.contains("qzxkvwpt") || p.preflight.is_some())
        .count();
    assert!(with_label > plan.probes().len() / 2);
    // No probe asks from a trusted origin except the baselines and the
    // trusted-origin preflights.
    for p in plan.probes() {
        if p.class.is_some() && p.preflight.is_none() {
            assert_ne!(p.origin, APP);
            assert_ne!(p.origin, "https://api.example.com");
        }
    }
    // No probe twice.
    let mut seen = BTreeSet::new();
    for p in plan.probes() {
        assert!(seen.insert((p.origin.clone(), p.preflight.clone().map(|x| x.method))));
    }
    // A different label, different probes.
    let other = Plan::new(URL, &[Origin::parse(APP).unwrap()], &Label::from_seed(7)).unwrap();
    assert_ne!(other.probes()[2].origin, plan.probes()[2].origin);
    assert_eq!(other.probes().len(), plan.probes().len());
}

#[test]
fn labels_and_targets_are_checked() {
    assert!(Label::new("abcd").is_ok());
    for bad in ["abc", "ABCD", "abcd1", "abcdefghijklmnopq", ""] {
        assert!(Label::new(bad).is_err(), "{bad}");
    }
    for seed in 0..50 {
        assert!(Label::new(Label::from_seed(seed).as_str()).is_ok());
    }
    let l = Label::from_seed(1);
    assert!(matches!(
        Plan::new("ftp://x.example/", &[], &l),
        Err(PlanError::InvalidUrl(_))
    ));
    assert!(matches!(
        Plan::new("not a url", &[], &l),
        Err(PlanError::InvalidUrl(_))
    ));
    assert_eq!(
        Plan::new("http://x.example/", &[Origin::new_opaque()], &l).unwrap_err(),
        PlanError::OpaqueTrusted
    );
    // An IP target: no subdomain or dot probes, still a plan.
    let p = Plan::new("http://127.0.0.1:8080/x", &[], &l).unwrap();
    assert!(
        p.probes()
            .iter()
            .all(|p| !matches!(p.class, Some(Class::AnySubdomain | Class::UnescapedDot)))
    );
    assert_eq!(p.bases().count(), 1);
}

#[test]
fn invalid_values() {
    let o = "https://app.example.com";
    let cases: &[(&[(&str, &str)], bool)] = &[
        (&[("Access-Control-Allow-Origin", o)], false),
        (&[("Access-Control-Allow-Origin", "*")], false),
        (&[("Access-Control-Allow-Origin", "null")], false),
        (
            &[("Access-Control-Allow-Origin", "https://app.example.com/")],
            true,
        ),
        (
            &[("Access-Control-Allow-Origin", "https://*.example.com")],
            true,
        ),
        (
            &[("Access-Control-Allow-Origin", "HTTPS://APP.example.com")],
            true,
        ),
        (
            &[
                ("Access-Control-Allow-Origin", o),
                ("Access-Control-Allow-Origin", o),
            ],
            true,
        ),
        (
            &[
                ("Access-Control-Allow-Origin", o),
                ("Access-Control-Allow-Credentials", "True"),
            ],
            true,
        ),
        (
            &[
                ("Access-Control-Allow-Origin", o),
                ("Access-Control-Allow-Credentials", "false"),
            ],
            false,
        ),
        (
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Credentials", "true"),
            ],
            true,
        ),
        // A static, valid origin other than the request's: not invalid.
        (
            &[("Access-Control-Allow-Origin", "https://b.example")],
            false,
        ),
    ];
    for (pairs, bad) in cases {
        assert_eq!(invalid_value(&head(pairs), o).is_some(), *bad, "{pairs:?}");
    }
    // An echo of an odd probe is the probe's finding, not an invalid value.
    let odd = "https://app.example.com%60.x.com";
    assert!(invalid_value(&head(&[("Access-Control-Allow-Origin", odd)]), odd).is_none());
}

#[test]
fn no_answers_no_findings() {
    let plan = plan();
    assert!(plan.judge(&[]).is_empty());
    let none: Vec<Option<ResponseHead<'_>>> = vec![None; plan.probes().len()];
    assert!(plan.judge(&none).is_empty());
}

#[test]
fn names_and_severities_round_trip() {
    for c in Class::ALL {
        assert!(!c.fix().is_empty() && !c.title().is_empty());
        assert_eq!(c.to_string(), c.name());
    }
    for s in Severity::ALL {
        assert_eq!(s.as_str().parse::<Severity>().unwrap(), s);
    }
    assert!("HIGH".parse::<Severity>().is_ok());
    assert!("severe".parse::<Severity>().is_err());
    assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
}

mod hostile {
    use proptest::prelude::*;

    use super::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Access-Control-Allow-Origin".to_owned()),
            Just("access-control-allow-origin".to_owned()),
            Just("Access-Control-Allow-Credentials".to_owned()),
            Just("Access-Control-Allow-Methods".to_owned()),
            Just("Access-Control-Allow-Headers".to_owned()),
            Just("Access-Control-Max-Age".to_owned()),
            Just("Vary".to_owned()),
            Just("X-Corsica-qzxkvwpt".to_owned()),
            "[A-Za-z-]{1,12}",
        ]
    }

    proptest! {
        // Each case judges a whole plan: fewer cases keep the debug run short.
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the server answers, judging never panics, names only
        /// probes of the plan, and finds a class at most once.
        #[test]
        fn any_answers_are_judged(
            answers in prop::collection::vec(
                prop::option::of((
                    100u16..600,
                    prop::collection::vec((name(), "\\PC{0,40}"), 0..6),
                )),
                0..80,
            ),
        ) {
            let plan = plan();
            let heads: Vec<Option<ResponseHead<'static>>> = answers
                .into_iter()
                .map(|a| {
                    a.map(|(status, lines)| {
                        let mut h = ResponseHead::new(status);
                        for (n, v) in lines {
                            h.push(n, v);
                        }
                        h
                    })
                })
                .collect();
            let found = plan.judge(&heads);
            let mut seen = BTreeSet::new();
            for f in &found {
                prop_assert!(f.probe < plan.probes().len());
                prop_assert!(heads.get(f.probe).is_some_and(Option::is_some));
                prop_assert!(f.also.iter().all(|&p| p < plan.probes().len()));
                prop_assert!(seen.insert(f.class));
            }
        }
    }
}
