// deadline_list_test.cpp: the fixed-duration timer lists of
// src/loop/deadline_list.h. Every entry of a list gets the same duration, so
// appending at the tail keeps the list in deadline order; these tests pin
// that order, what rescheduling and cancelling do to it, and what the loop
// reads from a list's head (first_expired, next_deadline_ms).
#include "loop/deadline_list.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

// Pops every entry that has expired at now_ms, in the order the list gives
// them, as the server's timer phase does.
std::vector<DeadlineLink*> take_expired(DeadlineList* list, int64_t now_ms) {
  std::vector<DeadlineLink*> expired;
  for (int guard = 0; guard < 100; ++guard) {
    DeadlineLink* link = list->first_expired(now_ms);
    if (link == nullptr) break;
    list->remove(link);
    expired.push_back(link);
  }
  return expired;
}

TEST(DeadlineList, AnEmptyListHasNoDeadlineAndNothingExpired) {
  DeadlineList list(1000);
  EXPECT_EQ(list.next_deadline_ms(), -1);
  EXPECT_EQ(list.first_expired(1'000'000), nullptr);
}

TEST(DeadlineList, ScheduleSetsTheDeadlineToNowPlusTheListsDuration) {
  DeadlineList list(1000);
  DeadlineLink link;
  list.schedule(&link, 5000);
  EXPECT_EQ(link.deadline_ms, 6000);
  EXPECT_EQ(link.owner, &list);
  EXPECT_EQ(list.next_deadline_ms(), 6000);
}

TEST(DeadlineList, EntriesExpireInTheOrderTheyWereScheduled) {
  DeadlineList list(100);
  DeadlineLink first, second, third;
  list.schedule(&first, 10);
  list.schedule(&second, 20);
  list.schedule(&third, 30);
  EXPECT_EQ(take_expired(&list, 1000), (std::vector<DeadlineLink*>{&first, &second, &third}));
}

TEST(DeadlineList, NothingExpiresBeforeItsDeadlineAndAnEntryExpiresAtIt) {
  DeadlineList list(100);
  DeadlineLink link;
  list.schedule(&link, 0);
  EXPECT_EQ(list.first_expired(99), nullptr);
  EXPECT_EQ(list.first_expired(100), &link);
}

TEST(DeadlineList, OnlyTheEntriesWhoseDeadlineHasPassedExpire) {
  DeadlineList list(100);
  DeadlineLink early, late;
  list.schedule(&early, 0);
  list.schedule(&late, 50);
  EXPECT_EQ(take_expired(&list, 120), (std::vector<DeadlineLink*>{&early}));
  EXPECT_EQ(list.next_deadline_ms(), 150);
}

TEST(DeadlineList, ReschedulingMovesAnEntryToTheTailWithANewDeadline) {
  DeadlineList list(100);
  DeadlineLink first, second;
  list.schedule(&first, 0);
  list.schedule(&second, 10);
  list.schedule(&first, 20);  // activity on the first: its timer restarts
  EXPECT_EQ(first.deadline_ms, 120);
  EXPECT_EQ(list.next_deadline_ms(), 110);
  EXPECT_EQ(take_expired(&list, 1000), (std::vector<DeadlineLink*>{&second, &first}));
}

TEST(DeadlineList, ReschedulingTheOnlyEntryKeepsItInTheList) {
  DeadlineList list(100);
  DeadlineLink link;
  list.schedule(&link, 0);
  list.schedule(&link, 50);
  EXPECT_EQ(list.first_expired(100), nullptr);
  EXPECT_EQ(take_expired(&list, 150), (std::vector<DeadlineLink*>{&link}));
}

TEST(DeadlineList, RemovingTheHeadMakesTheNextEntryTheEarliest) {
  DeadlineList list(100);
  DeadlineLink first, second;
  list.schedule(&first, 0);
  list.schedule(&second, 10);
  list.remove(&first);
  EXPECT_EQ(first.owner, nullptr);
  EXPECT_EQ(list.next_deadline_ms(), 110);
}

TEST(DeadlineList, RemovingAnEntryInTheMiddleKeepsTheOthersInOrder) {
  DeadlineList list(100);
  DeadlineLink first, middle, last;
  list.schedule(&first, 0);
  list.schedule(&middle, 10);
  list.schedule(&last, 20);
  list.remove(&middle);
  EXPECT_EQ(middle.previous, nullptr);
  EXPECT_EQ(middle.next, nullptr);
  EXPECT_EQ(take_expired(&list, 1000), (std::vector<DeadlineLink*>{&first, &last}));
}

TEST(DeadlineList, RemovingTheTailLetsANewEntryFollowTheRest) {
  DeadlineList list(100);
  DeadlineLink first, last, newcomer;
  list.schedule(&first, 0);
  list.schedule(&last, 10);
  list.remove(&last);
  list.schedule(&newcomer, 20);
  EXPECT_EQ(take_expired(&list, 1000), (std::vector<DeadlineLink*>{&first, &newcomer}));
}

TEST(DeadlineList, RemovingTheLastEntryEmptiesTheList) {
  DeadlineList list(100);
  DeadlineLink link;
  list.schedule(&link, 0);
  list.remove(&link);
  EXPECT_EQ(list.next_deadline_ms(), -1);
  EXPECT_EQ(list.first_expired(1000), nullptr);
}

TEST(DeadlineList, CancelRemovesALinkFromWhicheverListHoldsIt) {
  DeadlineList list(100);
  DeadlineLink link;
  list.schedule(&link, 0);
  cancel_deadline(&link);
  EXPECT_EQ(link.owner, nullptr);
  EXPECT_EQ(list.next_deadline_ms(), -1);
}

TEST(DeadlineList, CancellingALinkInNoListDoesNothing) {
  DeadlineLink link;
  cancel_deadline(&link);
  EXPECT_EQ(link.owner, nullptr);
}

// A connection moves from the handshake list to the idle list when it
// upgrades: scheduling on the new list takes it out of the old one.
TEST(DeadlineList, SchedulingOnAnotherListMovesTheLinkOutOfItsOldList) {
  DeadlineList handshake(5000);
  DeadlineList idle(60000);
  DeadlineLink moving, staying;
  handshake.schedule(&moving, 0);
  handshake.schedule(&staying, 10);
  idle.schedule(&moving, 100);
  EXPECT_EQ(moving.owner, &idle);
  EXPECT_EQ(moving.deadline_ms, 60100);
  EXPECT_EQ(handshake.next_deadline_ms(), 5010);
  EXPECT_EQ(take_expired(&handshake, 100'000), (std::vector<DeadlineLink*>{&staying}));
  EXPECT_EQ(take_expired(&idle, 100'000), (std::vector<DeadlineLink*>{&moving}));
}

}  // namespace
