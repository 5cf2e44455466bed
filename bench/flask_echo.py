"""The LINE SDK's own echo bot, as the baseline for bench/throughput.py.

Reproduced from line-bot-sdk-python `examples/flask-echo/app_with_handler.py`
(https://github.com/line/line-bot-sdk-python/blob/master/examples/flask-echo/app_with_handler.py, last
changed in commit c9aa518d32eead080c5780d8aafdd6d31b2f8a54; Apache License 2.0): a module-level
`WebhookHandler`, a `/callback` that verifies and dispatches, and a `MessageEvent`/`TextMessageContent`
handler that opens an `ApiClient` and replies with `ReplyMessageRequest` echoing the text.

One change: `Configuration(host=...)` takes `LINE_API_BASE_URL` (the fake LINE API on loopback) where
the original uses the SDK's default `https://api.line.me`. The `__main__` block (`app.run`) is left out;
the bench serves it with `gunicorn -w 2 flask_echo:app`.
"""
import os
import sys

from flask import Flask, abort, request
from linebot.v3 import WebhookHandler
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage
from linebot.v3.webhooks import MessageEvent, TextMessageContent

app = Flask(__name__)

# get channel_secret and channel_access_token from your environment variable
channel_secret = os.getenv('LINE_CHANNEL_SECRET', None)
channel_access_token = os.getenv('LINE_CHANNEL_ACCESS_TOKEN', None)
if channel_secret is None:
    print('Specify LINE_CHANNEL_SECRET as environment variable.')
    sys.exit(1)
if channel_access_token is None:
    print('Specify LINE_CHANNEL_ACCESS_TOKEN as environment variable.')
    sys.exit(1)

handler = WebhookHandler(channel_secret)

configuration = Configuration(
    host=os.getenv('LINE_API_BASE_URL', 'https://api.line.me'),
    access_token=channel_access_token
)


@app.route("/callback", methods=['POST'])
def callback():
    # get X-Line-Signature header value
    signature = request.headers['X-Line-Signature']

    # get request body as text
    body = request.get_data(as_text=True)
    app.logger.info("Request body: " + body)

    # handle webhook body
    try:
        handler.handle(body, signature)
    except InvalidSignatureError:
        abort(400)

    return 'OK'


@handler.add(MessageEvent, message=TextMessageContent)
def message_text(event):
    with ApiClient(configuration) as api_client:
        line_bot_api = MessagingApi(api_client)
        line_bot_api.reply_message_with_http_info(
            ReplyMessageRequest(
                reply_token=event.reply_token,
                messages=[TextMessage(text=event.message.text)]
            )
        )
