// The communicator under real mpirun: collectives are correct on 1 and 2 ranks; a rank that dies
// or hangs ends the whole job with a non-zero status and a message naming the rank.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace {

using mom::testing::binary_dir;
using mom::testing::run_command;

std::string worker() { return binary_dir() + "/tests/integration/trainer/comm_worker"; }
std::string mpirun(int n) {
  return "OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo timeout 60 mpirun --allow-run-as-root "
         "--oversubscribe -np " + std::to_string(n) + " ";
}

TEST(CommMpi, SingleProcessWithoutMpirun) {
  auto r = run_command(worker() + " check 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("rank 0 of 1 ok (mpi)"), std::string::npos) << r.output;
}

TEST(CommMpi, TwoRanksAllreduceBroadcastBarrier) {
  auto r = run_command(mpirun(2) + worker() + " check 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("rank 0 of 2 ok"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rank 1 of 2 ok"), std::string::npos) << r.output;
}

TEST(CommMpi, BucketedAllreduceGivesTheFullBatchGradient) {
  std::string ddp = binary_dir() + "/tests/integration/trainer/ddp_worker";
  for (int n : {1, 2, 3}) {
    auto r = run_command(mpirun(n) + ddp);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    for (int rank = 0; rank < n; ++rank)
      EXPECT_NE(r.output.find("rank " + std::to_string(rank) + " of " + std::to_string(n) + " ddp ok"), std::string::npos)
          << r.output;
  }
}

TEST(CommMpi, DeadRankEndsTheJob) {
  auto r = run_command(mpirun(2) + worker() + " die 2>&1");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.exit_code, 124) << "timed out instead of ending: " << r.output;
  EXPECT_NE(r.output.find("rank 1"), std::string::npos) << r.output;
}

TEST(CommMpi, HungRankTripsTheWatchdog) {
  auto r = run_command(mpirun(2) + worker() + " hang 2 2>&1");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("rank 0: collective 'MPI_Allreduce' did not complete within 2 s"), std::string::npos)
      << r.output;
}

}  // namespace
