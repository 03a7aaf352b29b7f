using ActorBroker.Storage.Cleaning;

namespace ActorBroker.Storage.Tests.Cleaning;

public sealed class CleanPlannerTests
{
    // The worked example of CleanPlanner's comment: 0 (1_000 bytes, ts 100), 10 (1_000, 200), 20 (500, 9_000), 30 active.
    private static readonly SegmentInfo[] Segments =
    [
        new(0, 10, 1_000, 100),
        new(10, 20, 1_000, 200),
        new(20, 30, 500, 9_000),
        new(30, 35, 300, 9_500),
    ];

    [Fact]
    public void The_dirty_ratio_is_dirty_bytes_over_the_cleanable_bytes_below_the_active_segment()
    {
        var plan = CleanPlanner.Plan(Segments, 0, checkpoint: 10, tombstoneDeadline: -1, new CleanerConfig(), 10_000);

        Assert.Equal((10L, 30L, 1_500L, 2_500L), (plan.FirstDirtyOffset, plan.FirstUncleanableOffset, plan.DirtyBytes, plan.CleanableBytes));
        Assert.True(plan.Due);
    }

    [Fact]
    public void A_log_below_min_cleanable_dirty_ratio_is_not_due()
    {
        var plan = CleanPlanner.Plan(Segments, 0, checkpoint: 10, tombstoneDeadline: -1, new CleanerConfig { MinCleanableDirtyRatio = 0.61 }, 10_000);

        Assert.False(plan.Due);
    }

    [Fact]
    public void Min_compaction_lag_ends_the_cleanable_range_at_the_first_segment_too_young()
    {
        var plan = CleanPlanner.Plan(Segments, 0, checkpoint: 10, tombstoneDeadline: -1, new CleanerConfig { MinCompactionLagMs = 5_000 }, 10_000);

        Assert.Equal((20L, 1_000L, 2_000L), (plan.FirstUncleanableOffset, plan.DirtyBytes, plan.CleanableBytes));
        Assert.True(plan.Due); // 0.5 ≥ 0.5
    }

    [Fact]
    public void Max_compaction_lag_forces_a_clean_below_the_dirty_ratio()
    {
        var config = new CleanerConfig { MinCleanableDirtyRatio = 0.9, MaxCompactionLagMs = 9_000 };

        Assert.True(CleanPlanner.Plan(Segments, 0, 10, -1, config, nowMs: 9_200).Due); // segment 10's newest record (200) is 9_000 old
        Assert.False(CleanPlanner.Plan(Segments, 0, 10, -1, config, nowMs: 9_199).Due);
    }

    [Fact]
    public void A_passed_tombstone_deadline_makes_a_fully_cleaned_log_due()
    {
        var config = new CleanerConfig { MinCleanableDirtyRatio = 0.9 };

        Assert.False(CleanPlanner.Plan(Segments, 0, checkpoint: 30, tombstoneDeadline: 10_001, config, 10_000).Due);
        Assert.True(CleanPlanner.Plan(Segments, 0, checkpoint: 30, tombstoneDeadline: 10_000, config, 10_000).Due);
    }

    [Fact]
    public void A_checkpoint_outside_the_log_restarts_from_the_log_start()
    {
        Assert.Equal(10, CleanPlanner.Plan(Segments, logStartOffset: 10, checkpoint: 3, -1, new CleanerConfig(), 10_000).FirstDirtyOffset);
        Assert.Equal(0, CleanPlanner.Plan(Segments, 0, checkpoint: 99, -1, new CleanerConfig(), 10_000).FirstDirtyOffset);
    }

    [Fact]
    public void Segments_wholly_below_the_log_start_are_not_cleanable()
    {
        var plan = CleanPlanner.Plan(Segments, logStartOffset: 10, checkpoint: 10, -1, new CleanerConfig(), 10_000);

        Assert.Equal(1_500, plan.CleanableBytes);
    }
}
