// The run's progress line (engine/sched/progress.hpp).

#include <catch2/catch.hpp>

#include "engine/sched/progress.hpp"

using namespace passage;

TEST_CASE("The progress line counts settled accounts and names the open states", "[progress]") {
  ProgressFigures figures;
  figures.counts = {{State::queued, 40}, {State::exporting, 10}, {State::verified, 45},
                    {State::failed, 3},  {State::held, 2},       {State::retry_wait, 0}};
  figures.in_flight = 4;
  figures.stacks = {"academy 50/s"};
  CHECK(progress_line(figures) == "50/100 settled (QUEUED 40, EXPORTING 10) · academy 50/s · 4 in flight");
}

TEST_CASE("The progress line gives the rate and the time left once accounts settled during the run",
          "[progress]") {
  ProgressFigures figures;
  figures.counts = {{State::queued, 60}, {State::grace, 40}};
  figures.settled_at_start = 10;
  figures.elapsed_seconds = 60;  // 30 settled in a minute: 60 left take 2 minutes
  CHECK(progress_line(figures) ==
        "40/100 settled (QUEUED 60) · 30.0 accounts/min · about 2 min left · 0 in flight");
  figures.elapsed_seconds = 3600;  // 30 an hour: 60 left take 2 hours
  CHECK(progress_line(figures) ==
        "40/100 settled (QUEUED 60) · 0.5 accounts/min · about 2 h 00 min left · 0 in flight");
}

TEST_CASE("People invited to move are not counted in the time left", "[progress]") {
  ProgressFigures figures;
  figures.counts = {{State::queued, 1}, {State::invited, 50}, {State::verified, 49}};
  figures.settled_at_start = 0;
  figures.elapsed_seconds = 49;  // one a second: one account left, under a minute
  CHECK(progress_line(figures) ==
        "49/100 settled (QUEUED 1, INVITED 50) · 60.0 accounts/min · less than a minute left · 0 in flight");
}
