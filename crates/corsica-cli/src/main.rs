//! The `corsica` command.
//!
//! TEMPORARY WIRING on the `fetch` branch so `corsica simulate` can be
//! tested; the cli helper owns this file and wires the real subcommand.
mod simulate;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some("simulate") {
        eprintln!("corsica: usage: corsica simulate [--browser chrome|firefox|spec] [FILE|-]");
        return ExitCode::from(2);
    }
    let mut browser = corsica::fetch::Browser::Chrome;
    let mut input = None;
    while let Some(a) = args.next() {
        if a == "--browser" {
            match args.next().map(|b| b.parse()) {
                Some(Ok(b)) => browser = b,
                Some(Err(e)) => {
                    eprintln!("corsica: {e}");
                    return ExitCode::from(2);
                }
                None => {
                    eprintln!("corsica: --browser needs a value");
                    return ExitCode::from(2);
                }
            }
        } else {
            input = Some(std::path::PathBuf::from(a));
        }
    }
    match simulate::run(input, browser) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("corsica: {e:#}");
            ExitCode::from(2)
        }
    }
}
