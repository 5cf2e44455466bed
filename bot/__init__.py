"""The app factory: the one place the bot is built (config, storage, content, LINE client, scheduler).

Building the app runs the release step (`bot.release`: migrations and content sync) under the boot lock,
so any number of workers may start at once."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

import scheduler
import storage
from bot import cli, config, files, release, webhook
from bot.runtime import BotRuntime
from bot.send import OfflineLineApi, SdkLineApi, Sender
from content.loader import load_content
from content.search import SearchIndex
from handlers.core.types import Settings


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: defaults, then the environment (and `.env`), then `test_config`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    store = storage.init_app(app)
    content = load_content(Path(app.config["CONTENT_DIR"])) if app.config["CONTENT_DIR"] else load_content()
    app.extensions["release"] = release.run(store, content, migrate=app.config["AUTO_MIGRATE"],
                                            sync=app.config["LOAD_CONTENT"])  # once, under the boot lock
    token = app.config["LINE_CHANNEL_ACCESS_TOKEN"]
    api = (SdkLineApi(app.config["LINE_API_BASE_URL"], token, app.config["LINE_API_DATA_URL"]) if token
           else OfflineLineApi())
    if not token:
        app.logger.warning("LINE_CHANNEL_ACCESS_TOKEN is not set: offline mode, nothing is sent to LINE")
    settings = Settings(config.admin_ids(app.config["LINE_ADMIN_USER_IDS"]), office_name=app.config["OFFICE_NAME"])
    app.extensions["bot"] = BotRuntime(store, content, SearchIndex.build(content), settings, Sender(api),
                                       evidence_dir=Path(app.config["EVIDENCE_DIR"]),
                                       evidence_max_bytes=int(float(app.config["EVIDENCE_MAX_MB"]) * 1024 * 1024))
    app.extensions["bot"].exports = files.init_app(app, content)  # /files/<token>; None without PUBLIC_BASE_URL
    app.register_blueprint(webhook.bp)
    cli.init_app(app)
    scheduler.init_app(app)
    return app
