// vkernel/link.h: the spellings of an impairment and the links file.
#include <doctest/doctest.h>

#include "vkernel/link.h"

using namespace vklab::vkernel;
using std::chrono::microseconds;

TEST_CASE("durations: us, ms, s with decimals; the shortest exact spelling back") {
  CHECK(parse_link_duration("40ms") == microseconds(40'000));
  CHECK(parse_link_duration("500us") == microseconds(500));
  CHECK(parse_link_duration("1.5ms") == microseconds(1500));
  CHECK(parse_link_duration("0.25s") == microseconds(250'000));
  CHECK(parse_link_duration("0ms") == microseconds(0));
  for (const char* bad : {"", "40", "ms", "-1ms", "1.ms", ".5ms", "1.2345ms", "0.5us", "1m", "1 ms", "1e3ms"})
    CHECK_MESSAGE(!parse_link_duration(bad), bad);
  CHECK(format_link_duration(microseconds(40'000)) == "40ms");
  CHECK(format_link_duration(microseconds(1500)) == "1500us");
  CHECK(format_link_duration(microseconds(2'000'000)) == "2s");
  CHECK(format_link_duration(microseconds(0)) == "0ms");
}

TEST_CASE("percentages and rates") {
  CHECK(parse_percent("1%") == 10'000u);
  CHECK(parse_percent("0.1%") == 1'000u);
  CHECK(parse_percent("100%") == 1'000'000u);
  CHECK(parse_percent("0.0001%") == 1u);
  for (const char* bad : {"1", "%", "1.00001%", "-1%", "1 %", "one%"}) CHECK_MESSAGE(!parse_percent(bad), bad);
  CHECK(format_percent(1'000) == "0.1%");
  CHECK(format_percent(1'000'000) == "100%");
  CHECK(parse_rate("10mbit") == 10'000'000u);
  CHECK(parse_rate("1Gbit") == 1'000'000'000u);
  CHECK(parse_rate("1.5gbit") == 1'500'000'000u);
  CHECK(parse_rate("64kbit") == 64'000u);
  CHECK(parse_rate("9600bit") == 9600u);
  for (const char* bad : {"10", "10mb", "10mbps", "0.5bit", "mbit", "10 mbit"}) CHECK_MESSAGE(!parse_rate(bad), bad);
  CHECK(format_rate(10'000'000) == "10mbit");
  CHECK(format_rate(1'500'000'000) == "1.5gbit");
  CHECK(format_rate(1'234'567) == "1234.567kbit");
  CHECK(format_rate(999) == "999bit");
  for (uint64_t r : {1ull, 999ull, 1000ull, 1'234'567ull, 8'000'000ull, 1'000'000'001ull, 100'000'000'000ull})
    CHECK(parse_rate(format_rate(r)) == r);
}

TEST_CASE("set_field: ranges and did-you-mean, without a location") {
  Impairment i;
  CHECK(set_field(i, "delay", "40ms"));
  CHECK(set_field(i, "loss", "1%"));
  CHECK(set_field(i, "rate", "10mbit"));
  CHECK(i.delay == microseconds(40'000));
  CHECK(i.loss_ppm == 10'000u);
  CHECK(i.rate_bps == 10'000'000u);
  auto s = set_field(i, "loss", "120%");
  REQUIRE(!s);
  CHECK(s.error().message == "loss: 120% is out of range (0% to 100%)");
  s = set_field(i, "rate", "0mbit");
  REQUIRE(!s);
  CHECK(s.error().message == "rate: 0mbit is out of range (above 0 up to 100gbit)");
  s = set_field(i, "delay", "11s");
  REQUIRE(!s);
  CHECK(s.error().message == "delay: 11s is out of range (0ms to 10s)");
  s = set_field(i, "lose", "1%");
  REQUIRE(!s);
  CHECK(s.error().message.find("(did you mean \"loss\"?)") != std::string::npos);
  s = set_field(i, "loss", "1");
  REQUIRE(!s);
  CHECK(s.error().message == "loss: expected a percentage like 1% or 0.1%, found \"1\"");
  CHECK(i.loss_ppm == 10'000u);  // a refused value changes nothing
}

TEST_CASE("check: jitter and reorder need a delay") {
  Impairment i;
  CHECK(i.check());
  i.jitter = microseconds(5000);
  CHECK(!i.check());
  CHECK(i.check().error().message.starts_with("jitter needs a delay"));
  i.delay = microseconds(40'000);
  CHECK(i.check());
  Impairment r;
  r.reorder_ppm = 1;
  CHECK(r.check().error().message.starts_with("reorder needs a delay"));
}

TEST_CASE("the links file round-trips and names bad lines") {
  LinkConfig a{0, true, Impairment{}};
  a.impair->delay = microseconds(40'000);
  a.impair->jitter = microseconds(5'000);
  a.impair->loss_ppm = 10'000;
  a.impair->rate_bps = 10'000'000;
  a.impair->corrupt_ppm = 1'000;
  a.impair->duplicate_ppm = 1'000;
  a.impair->reorder_ppm = 10'000;
  LinkConfig b{3, false, std::nullopt};
  LinkConfig c{2, true, Impairment{}};  // delay=0ms: shaped, all zero
  LinkConfig d{5, true, std::nullopt};  // the default: left out
  std::string text = format_links({b, a, c, d});
  CHECK(text.find("vke0 up delay=40ms jitter=5ms loss=1% rate=10mbit corrupt=0.1% duplicate=0.1% reorder=1%\n") != std::string::npos);
  CHECK(text.find("vke2 up delay=0ms\n") != std::string::npos);
  CHECK(text.find("vke3 down\n") != std::string::npos);
  CHECK(text.find("vke5") == std::string::npos);
  auto back = parse_links(text);
  REQUIRE(back);
  CHECK(*back == std::vector<LinkConfig>{a, c, b});
  CHECK(parse_links("")->empty());

  auto e = parse_links("# x\n\nvke17 up\n");
  REQUIRE(!e);
  CHECK(e.error().message == "line 3: vke17: no such vke (vke0 to vke15)");
  CHECK(parse_links("vke0 sideways\n").error().message == "line 1: vke0: expected up or down after the name");
  CHECK(parse_links("vke0 up\nvke0 down\n").error().message == "line 2: vke0 is named twice");
  CHECK(parse_links("vke1 up loss=200%\n").error().message == "line 1: loss: 200% is out of range (0% to 100%)");
  CHECK(parse_links("vke1 up jitter=1ms\n").error().message.starts_with("line 1: jitter needs a delay"));
  CHECK(parse_links("vke1 up loss\n").error().message == "line 1: loss: expected key=value");
  CHECK(!parse_links("eth0 up\n"));
  CHECK(!parse_links("vke0x up\n"));
}

TEST_CASE("per_packet: what needs MTU-sized frames") {
  CHECK(!parse_impairment("delay=40ms jitter=5ms")->per_packet());
  CHECK(!parse_impairment("delay=0ms")->per_packet());
  CHECK(!parse_impairment("rate=1gbit")->per_packet());
  CHECK(parse_impairment("rate=999mbit")->per_packet());
  for (const char* w : {"loss=0.1%", "corrupt=1%", "duplicate=1%", "delay=1ms reorder=1%"})
    CHECK_MESSAGE(parse_impairment(w)->per_packet(), w);
}
