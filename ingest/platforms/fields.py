"""The top-level fields each source's objects are known to carry (docs/payloads.md, the APIs' docs).

A field outside this list is not an error: raw keeps the payload as received and
`ingest.payload_fields` reports the field once for its source. The lists hold what staging
reads plus what the platforms document and return in practice, so a real response does not
report documented fields as new.
"""

from __future__ import annotations


def _fields(names: str) -> frozenset[str]:
    return frozenset(names.split())


KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "taobao": _fields(
        """
        tid tid_str type status step_trade_status step_paid_fee created modified pay_time
        consign_time end_time timeout_action_time payment total_fee post_fee discount_fee
        adjust_fee received_payment point_fee real_point_fee buyer_obtain_point_fee cod_fee
        cod_status credit_card_fee has_post_fee num num_iid price title pic_path buyer_nick
        seller_nick buyer_open_uid oaid buyer_rate seller_rate seller_can_rate buyer_message
        has_buyer_message seller_memo seller_flag buyer_memo buyer_flag receiver_name
        receiver_mobile receiver_phone receiver_country receiver_state receiver_city
        receiver_district receiver_town receiver_address receiver_zip shipping_type
        trade_from trade_source is_part_consign is_sh_ship alipay_no buyer_alipay_no
        pay_channel invoice_name invoice_type invoice_kind promotion_details service_orders
        orders
        """
    ),
    "jd": _fields(
        """
        orderId venderId orderType payType orderTotalPrice orderSellerPrice orderPayment
        freightPrice sellerDiscount balanceUsed serviceFee taxFee orderState orderStateRemark
        deliveryType invoiceInfo invoiceCode invoiceEasyInfo orderRemark venderRemark
        orderStartTime orderEndTime paymentConfirmTime modified consigneeInfo itemInfoList
        couponDetailList pin realPin open_id open_id_buyer xid_buyer returnOrder waybill
        logisticsId vatInfo parentOrderId orderSource storeOrder storeId idSopShipmenttype
        scDT pauseBizInfo tuiHuoWuYou orderSign orderExt
        """
    ),
    "pdd": _fields(
        """
        order_sn order_status confirm_status refund_status after_sales_status
        risk_control_status created_time pay_time confirm_time shipping_time receive_time
        updated_at last_ship_time promise_delivery_time goods_amount postage discount_amount
        seller_discount platform_discount capital_free_discount order_change_amount pay_amount
        pay_type pay_no inner_transaction_id receiver_name receiver_name_mask receiver_phone
        receiver_phone_mask receiver_address receiver_address_mask address address_mask
        country country_id province province_id city city_id town town_id item_list
        tracking_number logistics_id trade_type group_status is_lucky_flag remark buyer_memo
        invoice_status is_pre_sale pre_sale_time is_stock_out stock_out_handle_status
        order_tag_list card_info_list gift_list step_order_info service_fee_detail
        shipping_type free_sf home_delivery_type mkt_biz_type duoduo_wholesale
        only_support_replace return_freight_payer support_nationwide_warranty urge_shipping_time
        delivery_one_day bonded_warehouse is_premium self_contained yyps_date yyps_time
        """
    ),
    "wechat": _fields(
        """
        order_id status create_time update_time openid unionid order_detail aftersale_detail
        ext_info is_present present_order_id_str present_note present_giver_openid
        """
    ),
    "u8": _fields(
        """
        code date custcode cusname state sum money memo entry typecode typename deptcode
        deptname personcode personname maker verifier closer cexch_name taxrate
        """
    )
    | {f"define{number}" for number in range(1, 17)},
    "taobao_refunds": _fields(
        """
        refund_id tid oid title num price total_fee payment refund_fee split_taobao_fee
        split_seller_fee has_good_return good_status status order_status refund_phase
        refund_version reason desc created modified buyer_nick seller_nick company_name sid
        address attribute outer_id sku dispute_type
        """
    ),
    "jd_refunds": _fields(
        """
        id orderId buyerId buyerName applyTime checkTime applyRefundSum status checkUserName
        checkRemark reason systemId
        """
    ),
    "pdd_refunds": _fields(
        """
        id order_sn after_sales_type after_sales_status after_sale_reason goods_id sku_id
        goods_name goods_image goods_number goods_price order_amount refund_amount
        discount_amount created_time updated_time confirm_time shipping_name tracking_number
        refund_operator_role speed_refund_flag user_shipping_status
        """
    ),
    "wechat_refunds": _fields(
        """
        after_sale_order_id order_id openid unionid product_info refund_info return_info
        merchant_upload_info type status details create_time update_time reason
        reason_text refund_resp complaint_id
        """
    ),
    "ledger": _fields("entry_id entry_type channel platform order_no amount booked_at voucher_no"),
}
