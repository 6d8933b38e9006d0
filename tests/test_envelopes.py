"""Saved responses unwrap to the source's objects, exactly as sent; what is not one is refused
with a reason naming the cause (error responses, unknown layouts, values that are no object)."""

from __future__ import annotations

import json

import pytest

from domain.sources import source_called, source_named
from ingest import exact_json
from ingest.platforms.envelopes import Refused, Unwrapped, unwrap

TB = source_named("taobao")
TRADE = '{"tid":3822001234567890123,"status":"WAIT_SELLER_SEND_GOODS","payment":"200.07"}'


def objects(source: str, text: str) -> list[Unwrapped | Refused]:
    return list(unwrap(source_named(source), exact_json.loads(text)))


def test_numbers_keep_every_digit_through_a_round_trip() -> None:
    text = '{"tid":3822001234567890123,"pay_amount":4.50,"rate":1E+2,"n":[0,-1.25,true,null]}'
    assert exact_json.dumps(exact_json.loads(text)) == text
    assert json.loads(exact_json.dumps({"name": "张三\n"})) == {"name": "张三\n"}
    with pytest.raises(ValueError):
        exact_json.loads('{"x": NaN}')


def test_taobao_increment_envelope_gives_each_trade_as_sent() -> None:
    text = (
        '{"trades_sold_increment_get_response":{"total_results":2,"has_next":false,'
        f'"trades":{{"trade":[{TRADE},{TRADE.replace("890123,", "890124,")}]}}}}}}'
    )
    found = objects("taobao", text)
    assert [item.native_id for item in found] == ["3822001234567890123", "3822001234567890124"]
    assert found[0].payload == TRADE
    assert found[0].api == "taobao.trades.sold.increment.get"


def test_a_jdp_response_carries_the_response_as_text() -> None:
    inner = json.dumps({"trade_fullinfo_get_response": {"trade": json.loads(TRADE)}})
    found = objects("taobao", json.dumps({"jdp_response": inner}))
    assert [(item.native_id, item.api) for item in found] == [
        ("3822001234567890123", "聚石塔 RDS jdp_response")
    ]


@pytest.mark.parametrize(
    ("source", "text", "ids"),
    [
        (
            "jd",
            '{"jingdong_pop_order_search_responce":{"code":"0","searchorderinfo_result":'
            '{"apiResult":{"success":true,"numberCode":0},"orderTotal":1,'
            '"orderInfoList":[{"orderId":"301234567890","orderPayment":"99.90"}]}}}',
            ["301234567890"],
        ),
        (
            "jd",
            '{"jingdong_pop_order_get_responce":{"code":"0","orderDetailInfo":'
            '{"orderInfo":{"orderId":301234567891}}}}',
            ["301234567891"],
        ),
        (
            "pdd",
            '{"order_sn_increment_get_response":{"total_count":2,"order_sn_list":'
            '[{"order_sn":"261203-123","pay_amount":4.5},{"order_sn":"261203-124"}]}}',
            ["261203-123", "261203-124"],
        ),
        (
            "pdd",
            '{"order_info_get_response":{"order_info":{"order_sn":"261203-125"}}}',
            ["261203-125"],
        ),
        (
            "wechat",
            '{"errcode":0,"errmsg":"ok","order":{"order_id":"3719012345678901234","status":20}}',
            ["3719012345678901234"],
        ),
        (
            "u8",
            '{"errcode":"0","saleorderlist":[{"code":"SO1","sum":"12.00"},{"code":"SO2"}],'
            '"page_count":1}',
            ["SO1", "SO2"],
        ),
        ("ledger", '[{"entry_id":"L1"},{"entry_id":"L2"}]', ["L1", "L2"]),
        (
            "taobao_refunds",
            '{"refunds_receive_get_response":{"total_results":2,"refunds":{"refund":['
            '{"refund_id":5000000000000000001,"tid":3800000000000000001,"refund_fee":"8.00"},'
            '{"refund_id":"5000000000000000002"}]}}}',
            ["5000000000000000001", "5000000000000000002"],
        ),
        (
            "taobao_refunds",
            '{"refund_get_response":{"refund":{"refund_id":9007199254740993}}}',
            ["9007199254740993"],
        ),
        (
            "jd_refunds",
            '{"jingdong_pop_afs_soa_refundapply_queryPageList_responce":{"code":"0",'
            '"queryResult":{"success":true,"totalCount":1,"result":'
            '[{"id":1234567,"orderId":"301234567001","applyRefundSum":25.5,"status":3}]}}}',
            ["1234567"],
        ),
        (
            "pdd_refunds",
            '{"refund_increment_get_response":{"total_count":1,"refund_list":'
            '[{"id":11801234567,"order_sn":"261203-123","after_sales_type":2,'
            '"after_sales_status":10,"refund_amount":"8.00"}]}}',
            ["11801234567"],
        ),
        (
            "wechat_refunds",
            '{"errcode":0,"errmsg":"ok","after_sale_order":{"after_sale_order_id":'
            '"3719012345678901201","order_id":"3719012345678901234","refund_info":{"amount":800}}}',
            ["3719012345678901201"],
        ),
    ],
)
def test_each_sources_envelopes_and_bare_objects(source: str, text: str, ids: list[str]) -> None:
    found = objects(source, text)
    assert all(isinstance(item, Unwrapped) for item in found), found
    assert [item.native_id for item in found] == ids


def test_an_empty_page_has_no_objects_and_no_refusal() -> None:
    text = '{"order_sn_increment_get_response":{"total_count":0,"order_sn_list":[]}}'
    assert objects("pdd", text) == []


@pytest.mark.parametrize(
    ("source", "text", "says"),
    [
        (
            "taobao",
            '{"error_response":{"code":27,"msg":"Invalid session",'
            '"sub_code":"invalid-sessionkey"}}',
            "error response: code=27, msg=Invalid session, sub_code=invalid-sessionkey",
        ),
        (
            "pdd",
            '{"error_response":{"error_code":10019,"error_msg":"access_token已过期"}}',
            "error response: error_code=10019, error_msg=access_token已过期",
        ),
        ("wechat", '{"errcode":40001,"errmsg":"invalid credential"}', "errcode=40001"),
        ("u8", '{"errcode":"20002","errmsg":"token invalid"}', "errmsg=token invalid"),
        (
            "jd",
            '{"jingdong_pop_order_search_responce":{"searchorderinfo_result":{"apiResult":'
            '{"success":false,"numberCode":10100,"chineseErrCode":"参数错误"}}}}',
            "error response: code=10100, msg=参数错误",
        ),
        (
            "jd_refunds",
            '{"jingdong_pop_afs_soa_refundapply_queryPageList_responce":{"queryResult":'
            '{"success":false,"resultCode":"-1","resultDescribe":"系统异常"}}}',
            "error response: code=-1, msg=系统异常",
        ),
    ],
)
def test_error_responses_are_refused_with_their_code_and_message(
    source: str, text: str, says: str
) -> None:
    (item,) = objects(source, text)
    assert isinstance(item, Refused)
    assert says in item.reason
    assert exact_json.loads(item.payload) == exact_json.loads(text)


def test_an_unknown_layout_names_the_missing_field_and_what_it_looked_for() -> None:
    (item,) = objects("pdd", '{"goods_list_get_response":{"goods_list":[]}}')
    assert isinstance(item, Refused)
    assert item.reason.startswith("unknown layout: no order_sn")
    assert "pdd.order.information.get" in item.reason
    assert "goods_list_get_response" in item.reason


def test_values_that_are_no_object_are_refused_not_dropped() -> None:
    found = objects("taobao", '[1, "x", {"trade_fullinfo_get_response":{"trade":[7]}}]')
    assert [item.reason for item in found] == [
        "not an object: a JSON number",
        "not an object: a JSON string",
        "not an object: a JSON number inside taobao.trade.fullinfo.get's envelope",
    ]


def test_an_object_missing_its_id_inside_an_envelope_still_lands_for_staging_to_judge() -> None:
    (item,) = objects("pdd", '{"order_info_get_response":{"order_info":{"pay_amount":4.5}}}')
    assert isinstance(item, Unwrapped) and item.native_id is None


def test_sources_are_called_by_name_or_code() -> None:
    assert source_called("TB") is TB and source_called(" Taobao ") is TB
    assert source_called("wx").name == "wechat"
    assert source_called("TB", "refunds").name == "taobao_refunds"
    assert source_called("pdd_refunds", "refunds").name == "pdd_refunds"
    with pytest.raises(ValueError, match="Yonyou U8 ERP has no refunds source"):
        source_called("u8", "refunds")
    with pytest.raises(ValueError, match="known: taobao \\(TB\\)"):
        source_called("tmall")
