"""The merchant's product catalogue and the pools buyers are drawn from.

All text here is plain Chinese/ASCII with nothing JSON would escape, so payload builders may
put it between quotes as is (checked at import time).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
GIVEN_NAMES = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "子轩",
    "浩然",
    "欣怡",
    "梓涵",
    "雨桐",
    "一诺",
    "思远",
    "佳琪",
    "晓东",
    "婷婷",
    "建国",
    "海燕",
    "文博",
    "若曦",
)
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)
CITIES = (
    ("浙江省", "杭州市", ("西湖区文三路", "滨江区江南大道", "余杭区文一西路")),
    ("浙江省", "宁波市", ("鄞州区天童南路", "海曙区中山西路")),
    ("广东省", "广州市", ("天河区体育西路", "越秀区北京路", "番禺区市桥街")),
    ("广东省", "深圳市", ("南山区科技园路", "福田区深南大道", "宝安区新安街道")),
    ("江苏省", "南京市", ("鼓楼区中山路", "玄武区珠江路")),
    ("江苏省", "苏州市", ("工业园区星湖街", "姑苏区人民路")),
    ("上海市", "上海市", ("浦东新区张杨路", "徐汇区漕溪北路", "静安区南京西路")),
    ("北京市", "北京市", ("朝阳区建国路", "海淀区中关村大街", "丰台区丰台路")),
    ("四川省", "成都市", ("武侯区人民南路", "锦江区春熙路")),
    ("湖北省", "武汉市", ("江汉区解放大道", "洪山区珞喻路")),
    ("山东省", "青岛市", ("市南区香港中路", "崂山区海尔路")),
    ("福建省", "厦门市", ("思明区湖滨南路",)),
    ("河南省", "郑州市", ("金水区花园路",)),
    ("湖南省", "长沙市", ("岳麓区麓山南路", "天心区解放西路")),
    ("陕西省", "西安市", ("雁塔区小寨东路",)),
    ("重庆市", "重庆市", ("渝中区解放碑步行街", "江北区观音桥")),
    ("天津市", "天津市", ("和平区南京路",)),
    ("安徽省", "合肥市", ("蜀山区长江西路",)),
    ("辽宁省", "沈阳市", ("和平区太原街",)),
    ("云南省", "昆明市", ("五华区东风西路",)),
)
ADJECTIVES = (
    "纯棉",
    "加厚",
    "轻薄",
    "便携式",
    "家用",
    "大容量",
    "无线",
    "速干",
    "复古",
    "简约",
    "儿童",
    "男士",
    "女士",
    "新款",
    "升级版",
    "经典款",
)
# (noun, lowest price in yuan, highest price in yuan)
PRODUCT_KINDS = (
    ("短袖T恤", 29, 129),
    ("保温杯", 39, 199),
    ("蓝牙耳机", 99, 899),
    ("洗衣凝珠", 19, 79),
    ("抽纸", 9.9, 49),
    ("运动鞋", 159, 699),
    ("电饭煲", 199, 899),
    ("补水面膜", 49, 299),
    ("坚果礼盒", 59, 259),
    ("数据线", 9.9, 39),
    ("双肩包", 79, 399),
    ("床上四件套", 129, 599),
    ("咖啡豆", 39, 169),
    ("猫粮", 49, 299),
    ("护眼台灯", 59, 269),
    ("瑜伽垫", 39, 159),
    ("电动牙刷", 69, 399),
    ("行李箱", 199, 899),
    ("收纳箱", 19.9, 89),
    ("洗发水", 29, 139),
)
_PRICE_ENDINGS = (0, 0, 90, 99, 80, 50)
MAX_QUANTITY = 3

FULL_NAMES: tuple[str, ...] = tuple(s + g for s in SURNAMES for g in GIVEN_NAMES)
# (province, city, street, province + city + street); a house number is added per order
PLACES: tuple[tuple[str, str, str, str], ...] = tuple(
    (province, city, street, province + city + street)
    for province, city, streets in CITIES
    for street in streets
)


def _json_safe(text: str) -> bool:
    return json.dumps(text, ensure_ascii=False) == f'"{text}"'


@dataclass(frozen=True, slots=True)
class Product:
    """One sellable SKU with its fixed price, each platform's id for it, and the JSON text of
    an order line of it per platform, indexed by quantity (1-3; payload builders splice them).
    """

    title: str
    price_fen: int
    sku_id: str  # JD skuId / WeChat product_id
    goods_id: int  # PDD goods_id
    taobao_line: tuple[str, ...]  # Taobao order line after its oid
    jd_line: tuple[str, ...]
    pdd_line: tuple[str, ...]
    wechat_line: tuple[str, ...]


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _product(title: str, fen: int, sku_id: str, goods_id: int) -> Product:
    price = _yuan(fen)
    pdd_price = json.dumps(fen / 100)
    quantities = range(MAX_QUANTITY + 1)
    return Product(
        title=title,
        price_fen=fen,
        sku_id=sku_id,
        goods_id=goods_id,
        taobao_line=tuple(
            f',"title":"{title}","num":{q},"price":"{price}","payment":"{_yuan(fen * q)}"}}'
            for q in quantities
        ),
        jd_line=tuple(
            f'{{"skuId":"{sku_id}","skuName":"{title}","itemTotal":"{q}","jdPrice":"{price}"}}'
            for q in quantities
        ),
        pdd_line=tuple(
            f'{{"goods_id":{goods_id},"goods_name":"{title}","goods_count":{q},'
            f'"goods_price":{pdd_price}}}'
            for q in quantities
        ),
        wechat_line=tuple(
            f'{{"product_id":"{sku_id}","title":"{title}","sku_cnt":{q},"sale_price":{fen}}}'
            for q in quantities
        ),
    )


def build_catalogue(rng: random.Random, size: int = 240) -> tuple[Product, ...]:
    """A deterministic catalogue of `size` products priced 9.90-899.00 yuan."""
    products = []
    for i in range(size):
        noun, low, high = PRODUCT_KINDS[i % len(PRODUCT_KINDS)]
        adjective = ADJECTIVES[rng.randrange(len(ADJECTIVES))]
        raw = math.exp(rng.uniform(math.log(low), math.log(high)))
        fen = int(raw) * 100 + _PRICE_ENDINGS[rng.randrange(len(_PRICE_ENDINGS))]
        fen = min(max(fen, 990), 89_900)
        products.append(
            _product(
                f"{adjective}{noun}",
                fen,
                str(100_012_000_000 + rng.randrange(10_000_000) * 100 + i % 100),
                300_000_000 + i * 7_919 + rng.randrange(7_919),
            )
        )
    return tuple(products)


def _check_pools() -> None:
    texts = [*GIVEN_NAMES, *SURNAMES, *ADJECTIVES, *(k[0] for k in PRODUCT_KINDS)]
    for province, city, streets in CITIES:
        texts += [province, city, *streets]
    bad = [t for t in texts if not _json_safe(t)]
    if bad:
        raise AssertionError(f"catalogue text needs JSON escaping: {bad}")


_check_pools()
