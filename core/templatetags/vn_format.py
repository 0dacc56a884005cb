from django import template

from core import formatting

register = template.Library()


@register.filter
def vn_number(value, places=0):
    return formatting.vn_number(value, int(places))


@register.filter
def vn_percent(value):
    return formatting.vn_percent(value)


@register.filter
def vn_million(value):
    return formatting.vn_million(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
