"""What the pull engine needs from a platform module: its calls, its paging, its error codes.

A platform module (taobao, jd, pdd, wechat, u8) holds only what is particular to the platform;
windows, paging, retries, landing and watermarks are the engine's (ingest.platforms.pull).
One entity of a platform (its orders, its refunds) is one `EntityApi` entry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from ingest.platforms.shops import Shop

if TYPE_CHECKING:
    from ingest.platforms.session import ShopSession

#: How a platform pages a window: "backward" reads the total, then the last page first
#: (Taobao sorts by modified time descending, so pages shift while paging forwards);
#: "forward" pages 1, 2, … while the platform says there is more; "cursor" follows next_key.
Paging = Literal["backward", "forward", "cursor"]
ProblemKind = Literal["auth", "throttle", "transient", "fatal"]


@dataclass(frozen=True)
class Window:
    """Modified times from `start` to `end` (UTC), as one query of the platform."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class PageRequest:
    """One page of one window, asked at `now` (epoch seconds, for the request's timestamp)."""

    window: Window
    page: int  # 1-based
    cursor: str | None
    now: float
    token: str | None = None  # the access token Platform.authorize obtained, if any
    by: str = "modified"  # which time the window filters on (one of EntityApi.windows_by)


@dataclass(frozen=True)
class EntityApi:
    """One pullable entity of a platform: the API method, where it lands, how it pages."""

    entity: str  # orders | refunds
    source: str  # the domain.sources source its objects land in
    method: str  # the API method (or path) that lists it by modified time
    paging: Paging
    page_size: int  # the largest page the platform serves
    response: str = ""  # the page's top-level key, where the platform names it per method
    fields: str = ""  # the fields to ask for, where the platform returns only those
    #: The times each window is read by, one query each, landed together: a platform with no
    #: modified-time filter is read by every time at which an object changes (JD's refund
    #: audits: applied, audited).
    windows_by: tuple[str, ...] = ("modified",)


@dataclass(frozen=True)
class Call:
    """One HTTP request, signed."""

    method: Literal["GET", "POST"]
    url: str
    params: Mapping[str, str] | None = None  # query string
    form: Mapping[str, str] | None = None  # application/x-www-form-urlencoded body
    json: Any = None  # JSON body


@dataclass(frozen=True)
class PageInfo:
    """What a page says about the rest of the window."""

    total: int | None = None  # objects in the whole window, when the platform says
    has_next: bool = False
    cursor: str | None = None


@dataclass(frozen=True)
class Problem:
    """An error response, classified: auth (stop at once), throttle/transient (retry), fatal."""

    kind: ProblemKind
    reason: str
    wait: float = 0.0  # seconds the platform asked to wait


class Platform(ABC):
    """The particulars of one platform's open API."""

    name: str  # source name of its orders: taobao, jd, pdd, wechat, u8
    label: str
    default_base_url: str
    credential_names: tuple[str, ...]  # suffixes of ORDERSIGHT_SHOP_<SHOP>_… it needs
    max_window = timedelta(minutes=30)  # the longest window asked (at most what it accepts)
    lag = timedelta(minutes=2)  # how far behind the current time a window must end
    overlap = timedelta(minutes=10)  # re-read before the watermark, for updates that arrive late
    entities: Mapping[str, EntityApi]

    def authorize(self, session: ShopSession) -> None:  # noqa: B027 - most platforms need none
        """Obtain what the shop's calls need before the first (an access token), if anything."""

    @abstractmethod
    def page_call(self, shop: Shop, entity: EntityApi, request: PageRequest) -> Call:
        """The signed request for one page of a window."""

    @abstractmethod
    def page_info(self, entity: EntityApi, body: dict[str, Any]) -> PageInfo:
        """Total, has-next and cursor from a page's response."""

    @abstractmethod
    def problem(self, body: dict[str, Any]) -> Problem | None:
        """The error a response reports, classified; None for a success."""

    def responses(
        self, session: ShopSession, entity: EntityApi, body: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The responses holding the page's objects: the page itself, or (WeChat) the detail
        responses of the ids it lists."""
        return [body]
