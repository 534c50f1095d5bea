#!/usr/bin/python3
"""The conformance runner's WebKitGTK browser (launched by WebKitWebDriver).

WebKitWebDriver starts the browser named in the session's
`webkitgtk:browserOptions` capability and drives it through WebKit's
automation protocol. The stock MiniBrowser runs automation sessions in an
ephemeral (private) data manager, whose pages never print console messages;
the runner needs every console line, so it uses this small browser instead:

- one WebKitWebContext with automation allowed and a *persistent* (not
  ephemeral) website data manager in a fresh temporary folder, removed on
  exit, so every session (one per case) starts with empty caches, cookies
  and preflight cache;
- `enable-write-console-messages-to-stdout`, so WebCore prints each console
  message as `CONSOLE <SOURCE> <LEVEL> <text>` on the standard error of the
  web process (a child of this one): the runner reads it from the driver's
  process tree;
- English as the preferred language (the `Accept-Language` WebKit sends),
  the default cache model (web browser, as Safari), no sandbox (bubblewrap
  cannot run inside the runner's namespaces), no favicon database.

Arguments are ignored (the driver passes `--automation`).
"""

import os
import shutil
import signal
import sys
import tempfile

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402


def main():
    data_dir = tempfile.mkdtemp(prefix="corsica-webkit-")
    manager = WebKit2.WebsiteDataManager(
        base_data_directory=os.path.join(data_dir, "data"),
        base_cache_directory=os.path.join(data_dir, "cache"),
    )
    context = WebKit2.WebContext(website_data_manager=manager)
    context.set_automation_allowed(True)
    context.set_preferred_languages(["en-US"])
    context.set_sandbox_enabled(False)

    settings = WebKit2.Settings()
    settings.set_enable_write_console_messages_to_stdout(True)

    windows = []

    def create_web_view(_session):
        view = WebKit2.WebView(
            web_context=context,
            settings=settings,
            is_controlled_by_automation=True,
        )
        window = Gtk.Window()
        window.set_default_size(800, 600)
        window.add(view)
        window.show_all()
        windows.append(window)

        def close(_view):
            windows.remove(window)
            window.destroy()

        view.connect("close", close)
        return view

    def automation_started(_context, session):
        info = WebKit2.ApplicationInfo()
        info.set_name("corsica-webkit-browser")
        info.set_version(
            WebKit2.get_major_version(),
            WebKit2.get_minor_version(),
            WebKit2.get_micro_version(),
        )
        session.set_application_info(info)
        session.connect("create-web-view", create_web_view)

    context.connect("automation-started", automation_started)

    def quit_loop(*_args):
        Gtk.main_quit()
        return GLib.SOURCE_REMOVE

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, quit_loop)
    try:
        Gtk.main()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
