//! Hot reload on file change: watches the folders of the configuration
//! and policy files (editors replace a file by renaming a new one over it,
//! and Kubernetes swaps a ConfigMap's `..data` symlink, so watching the
//! files themselves would miss both), and reloads when their contents
//! change, after a short quiet period.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use crate::server::Shared;

/// How long to wait after a change for the burst of events an editor or
/// a ConfigMap update makes to end.
const QUIET: Duration = Duration::from_millis(150);

/// Keeps the watcher alive; dropping it stops watching.
pub(crate) struct WatchGuard {
    _task: tokio::task::JoinHandle<()>,
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self._task.abort();
    }
}

fn folders(files: &[PathBuf]) -> BTreeSet<PathBuf> {
    files
        .iter()
        .map(|f| {
            let parent = f
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_owned())
        })
        .collect()
}

pub(crate) fn start(shared: Arc<Shared>) -> Option<WatchGuard> {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let mut watcher: RecommendedWatcher = match notify::recommended_watcher(
        move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event
                && !matches!(event.kind, notify::EventKind::Access(_))
            {
                let _ = tx.send(());
            }
        },
    ) {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(target: "corsica_gateway", error = %e, "cannot watch the configuration files; reload with SIGHUP");
            return None;
        }
    };
    let mut watched = BTreeSet::new();
    rewatch(&mut watcher, &mut watched, &shared);
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Let the burst end.
            tokio::time::sleep(QUIET).await;
            while rx.try_recv().is_ok() {}
            let _ = shared.reload("file changed", false);
            rewatch(&mut watcher, &mut watched, &shared);
        }
    });
    Some(WatchGuard { _task: task })
}

/// Watches the folders of the files in force (they change when a reload
/// names another policy file).
fn rewatch(watcher: &mut RecommendedWatcher, watched: &mut BTreeSet<PathBuf>, shared: &Shared) {
    let wanted = folders(&shared.state.load().config.files);
    for old in watched.difference(&wanted) {
        let _ = watcher.unwatch(old);
    }
    for new in wanted.difference(watched) {
        if let Err(e) = watcher.watch(new, RecursiveMode::NonRecursive) {
            tracing::warn!(target: "corsica_gateway", folder = %new.display(), error = %e, "cannot watch folder; reload with SIGHUP");
        }
    }
    *watched = wanted;
}
