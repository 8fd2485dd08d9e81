"""What the channel asks Telegram to do: our own frozen dataclasses, framework-free."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_TEXT = 4096  # Bot API limit of a message's text
MAX_CALLBACK_DATA = 64  # bytes
MAX_TOPIC_NAME = 128  # characters of a forum topic's name
MAX_CAPTION = 1024  # characters of a photo's or document's caption
MAX_PHOTO = 10 * 1024 * 1024  # bytes sendPhoto takes; a larger image goes as a document


@dataclass(frozen=True)
class InlineButton:
    """A button under a message; ``data`` comes back in the callback query."""

    text: str
    data: str


Keyboard = tuple[tuple[InlineButton, ...], ...]  # rows of buttons


@dataclass(frozen=True)
class SendText:
    """sendMessage, always plain text (no parse mode, so nothing needs escaping)."""

    chat_id: int
    text: str
    keyboard: Keyboard = ()
    thread_id: int | None = None


@dataclass(frozen=True)
class SendVenue:
    """sendVenue: a map point with a title and an address."""

    chat_id: int
    latitude: float
    longitude: float
    title: str
    address: str
    keyboard: Keyboard = ()
    thread_id: int | None = None


@dataclass(frozen=True)
class SendFile:
    """sendPhoto (``photo``) or sendDocument: the bytes uploaded as multipart form data."""

    chat_id: int
    data: bytes = field(repr=False)
    name: str
    photo: bool
    caption: str = ""
    keyboard: Keyboard = ()
    thread_id: int | None = None


SendRequest = SendText | SendVenue | SendFile


@dataclass(frozen=True)
class CreateTopic:
    """createForumTopic in a forum supergroup; its result is the new message_thread_id."""

    chat_id: int
    name: str


# What the sender queues: a topic is created in the group's queue, paced like its messages.
Request = SendRequest | CreateTopic


@dataclass(frozen=True)
class CommandSpec:
    """One entry of the command menu (setMyCommands)."""

    command: str
    description: str


def shown_text(request: Request) -> str:
    """What the reader would see: the text, the venue's title and address, the topic's name."""
    if isinstance(request, SendText):
        return request.text
    if isinstance(request, CreateTopic):
        return f"(new topic) {request.name}"
    if isinstance(request, SendFile):
        return "\n".join(filter(None, [f"[{request.name}]", request.caption]))
    return f"{request.title}\n{request.address}"
