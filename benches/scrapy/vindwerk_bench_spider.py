"""The Scrapy side of vindwerk's end-to-end crawl benchmark (benches/src/bin/bench-crawl.rs).

A spider as a Scrapy user would write it for vindwerk's `sitemap` sources: a SitemapSpider over
every source's sitemap (or the robots.txt naming it), the source's include/exclude regexes
applied to each listed page's path as vindwerk applies them, and one item per schema.org
JobPosting found in the page's JSON-LD.

Run by the benchmark as

    python -m scrapy runspider vindwerk_bench_spider.py \
        -a targets=TARGETS.json -a stats=STATS.json -O ITEMS.jsonl \
        -s CONCURRENT_REQUESTS=32 -s USER_AGENT='...'

where TARGETS.json is a list of {"name", "url", "include": [...], "exclude": [...]}.
"""

import json
import re
from urllib.parse import urlsplit

import scrapy
from scrapy.spiders import SitemapSpider
from w3lib.html import remove_tags


class VindwerkBenchSpider(SitemapSpider):
    name = "vindwerk_bench"

    # Settings the benchmark fixes; the command line (-s) sets concurrency and user agent.
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        # Every host of the fixture web is 127.0.0.1 on its own port, and Scrapy's per-domain
        # slots key on the host name without the port: without this, one slot of 8 would hold
        # the whole web. vindwerk with its limits off has only the global bound.
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1_000_000,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(self, targets=None, stats=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is None:
            raise ValueError("pass -a targets=FILE (a JSON list of sitemap sources)")
        with open(targets, encoding="utf-8") as file:
            sources = json.load(file)
        self.sitemap_urls = [source["url"] for source in sources]
        # vindwerk matches a source's regexes against the path of the pages its sitemaps
        # list; sources are told apart by host and port.
        self.rules_by_host = {}
        for source in sources:
            host = urlsplit(source["url"]).netloc
            include = [re.compile(pattern) for pattern in source.get("include", [])]
            exclude = [re.compile(pattern) for pattern in source.get("exclude", [])]
            self.rules_by_host[host] = (include, exclude)
        self.stats_path = stats
        self.broken_json_ld = 0

    def sitemap_filter(self, entries):
        # Sitemap indexes are followed whole; listed pages pass their source's regexes.
        if getattr(entries, "type", None) != "urlset":
            yield from entries
            return
        for entry in entries:
            parts = urlsplit(entry.get("loc", ""))
            include, exclude = self.rules_by_host.get(parts.netloc, ([], []))
            if include and not any(pattern.search(parts.path) for pattern in include):
                continue
            if any(pattern.search(parts.path) for pattern in exclude):
                continue
            yield entry

    # SitemapSpider's default rule sends every listed page to `parse`.
    def parse(self, response):
        if not isinstance(response, scrapy.http.TextResponse):
            return
        for block in response.xpath('//script[@type="application/ld+json"]/text()').getall():
            try:
                data = json.loads(block)
            except ValueError:
                self.broken_json_ld += 1
                continue
            for posting in job_postings(data):
                yield item_of(posting, response.url)

    def closed(self, reason):
        if not self.stats_path:
            return
        stats = {
            key: value
            for key, value in self.crawler.stats.get_stats().items()
            if isinstance(value, (int, float, str))
        }
        stats["broken_json_ld"] = self.broken_json_ld
        stats["finish_reason"] = reason
        with open(self.stats_path, "w", encoding="utf-8") as file:
            json.dump(stats, file, indent=1, sort_keys=True)


def job_postings(data):
    """Every JobPosting object in a JSON-LD document: at the top, in a list or in @graph."""
    if isinstance(data, list):
        for element in data:
            yield from job_postings(element)
        return
    if not isinstance(data, dict):
        return
    kind = data.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "JobPosting" in kinds:
        yield data
    graph = data.get("@graph")
    if graph is not None:
        yield from job_postings(graph)


def text_of(value):
    """A name or plain value of a JSON-LD property."""
    if isinstance(value, dict):
        return value.get("name")
    if isinstance(value, list):
        return text_of(value[0]) if value else None
    return value


def place_of(location):
    if isinstance(location, list):
        location = location[0] if location else None
    if not isinstance(location, dict):
        return None
    address = location.get("address")
    if isinstance(address, dict):
        return address.get("addressLocality")
    return text_of(location)


def plain_text(html):
    """The description as text, as vindwerk stores it."""
    if not isinstance(html, str):
        return None
    return " ".join(remove_tags(html).split())


def item_of(posting, page_url):
    salary = posting.get("baseSalary")
    value = salary.get("value") if isinstance(salary, dict) else None
    return {
        "url": posting.get("url") or page_url,
        "page": page_url,
        "title": text_of(posting.get("title")),
        "employer": text_of(posting.get("hiringOrganization")),
        "location": place_of(posting.get("jobLocation")),
        "employment_type": text_of(posting.get("employmentType")),
        "date_posted": posting.get("datePosted"),
        "valid_through": posting.get("validThrough"),
        "salary_min": value.get("minValue") if isinstance(value, dict) else None,
        "salary_max": value.get("maxValue") if isinstance(value, dict) else None,
        "salary_currency": salary.get("currency") if isinstance(salary, dict) else None,
        "description": plain_text(posting.get("description")),
        "identifier": text_of(posting.get("identifier")),
    }
