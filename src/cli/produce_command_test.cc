#include "cli/produce_command.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

TEST(ProduceCommand, RateIsRecordsPerSecondWithOrWithoutUnit) {
  EXPECT_EQ(ParseRate("1000").value(), 1000.0);
  EXPECT_EQ(ParseRate("1000/s").value(), 1000.0);
  EXPECT_EQ(ParseRate("2.5/s").value(), 2.5);
  EXPECT_EQ(ParseRate("0").value(), 0.0);
}

TEST(ProduceCommand, RateRejectsNegativeEmptyAndOtherUnits) {
  EXPECT_FALSE(ParseRate("").ok());
  EXPECT_FALSE(ParseRate("/s").ok());
  EXPECT_FALSE(ParseRate("-5").ok());
  EXPECT_FALSE(ParseRate("10/min").ok());
  EXPECT_FALSE(ParseRate("ten").ok());
  EXPECT_FALSE(ParseRate("inf").ok());
}

}  // namespace
}  // namespace sluice::cli
