// OuterOptimizer: the mean of 2 and 3 workers against values worked out by hand, one
// worker returned exactly, two Nesterov steps against the formula evaluated here in float,
// and the errors for no workers and mismatched lengths.

#include "engine/training/outer_optimizer.h"

#include <QTest>

#include <array>
#include <limits>

using namespace tributary::engine;
using namespace tributary::engine::training;

namespace {

bool mentions(const Status &s, const char *text)
{
    return !s && s.message().find(text) != std::string::npos;
}

} // namespace

class OuterOptimizerTest : public QObject {
    Q_OBJECT

private slots:
    void averagesTwoWorkers()
    {
        const std::vector<float> a { 1.0f, -2.0f, 0.5f, 3.0f };
        const std::vector<float> b { 3.0f, 2.0f, 0.25f, -3.0f };
        const std::array<std::span<const float>, 2> workers { a, b };
        std::vector<float> global(4, 100.0f);
        std::vector<float> velocity;
        const OuterOptimizer outer(OuterRule::Average, 0.7f, 0.9f);
        const Status s = outer.step(workers, &global, &velocity);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(global, (std::vector<float> { 2.0f, 0.0f, 0.375f, 0.0f }));
        QVERIFY(velocity.empty()); // Average keeps no momentum
    }

    void averagesThreeWorkersInDouble()
    {
        // 0.1f + 0.2f + 0.4f summed in float and divided would round twice; in double the
        // mean is the float nearest to (0.1f + 0.2f + 0.4f) / 3 computed exactly.
        const std::vector<float> a { 0.1f, 1.0f };
        const std::vector<float> b { 0.2f, 2.0f };
        const std::vector<float> c { 0.4f, 6.0f };
        const std::array<std::span<const float>, 3> workers { a, b, c };
        std::vector<float> global(2, 0.0f);
        std::vector<float> velocity;
        const Status s = OuterOptimizer(OuterRule::Average, 1.0f, 0.0f).step(workers, &global, &velocity);
        QVERIFY2(s, s.message().c_str());
        const float expected0 = float((double(0.1f) + double(0.2f) + double(0.4f)) / 3.0);
        QCOMPARE(global[0], expected0);
        QCOMPARE(global[1], 3.0f);
    }

    void singleWorkerIsExact()
    {
        const std::vector<float> only { 0.1f, -1e-30f, std::numeric_limits<float>::denorm_min(),
            std::numeric_limits<float>::max(), 1.0f / 3.0f };
        const std::array<std::span<const float>, 1> workers { only };
        std::vector<float> global(only.size(), 5.0f);
        std::vector<float> velocity;
        const Status s = OuterOptimizer(OuterRule::Average, 0.7f, 0.9f).step(workers, &global, &velocity);
        QVERIFY2(s, s.message().c_str());
        QCOMPARE(global, only);
    }

    void nesterovTwoSteps()
    {
        const float lr = 0.7f, mu = 0.9f;
        const OuterOptimizer outer(OuterRule::Nesterov, lr, mu);
        std::vector<float> global { 1.0f, -0.5f };
        std::vector<float> velocity; // zeros at first
        const std::vector<float> a1 { 0.8f, -0.25f }, b1 { 0.6f, -0.75f };
        const std::array<std::span<const float>, 2> round1 { a1, b1 };
        Status s = outer.step(round1, &global, &velocity);
        QVERIFY2(s, s.message().c_str());

        // Step 1, element 0: mean 0.7f, Δ = 1 - 0.7f, v = Δ, θ = 1 - lr·(Δ + mu·v).
        float theta0 = 1.0f, v0 = 0.0f;
        float delta = theta0 - float((double(0.8f) + double(0.6f)) / 2.0);
        v0 = mu * v0 + delta;
        theta0 = theta0 - lr * (delta + mu * v0);
        // Element 1: mean -0.5 exactly, so Δ = 0 and nothing moves.
        QCOMPARE(velocity, (std::vector<float> { v0, 0.0f }));
        QCOMPARE(global, (std::vector<float> { theta0, -0.5f }));
        QVERIFY(qAbs(theta0 - (1.0f - 0.7f * 0.3f * 1.9f)) < 1e-6f); // 0.601, by hand

        const std::vector<float> a2 { 0.5f, -0.5f }, b2 { 0.4f, -0.25f };
        const std::array<std::span<const float>, 2> round2 { a2, b2 };
        s = outer.step(round2, &global, &velocity);
        QVERIFY2(s, s.message().c_str());
        float v1 = 0.0f, theta1 = -0.5f;
        delta = theta0 - float((double(0.5f) + double(0.4f)) / 2.0);
        v0 = mu * v0 + delta;
        theta0 = theta0 - lr * (delta + mu * v0);
        const float delta1 = theta1 - float((double(-0.5f) + double(-0.25f)) / 2.0); // -0.5 + 0.375
        v1 = mu * v1 + delta1;
        theta1 = theta1 - lr * (delta1 + mu * v1);
        QCOMPARE(velocity, (std::vector<float> { v0, v1 }));
        QCOMPARE(global, (std::vector<float> { theta0, theta1 }));
        QCOMPARE(v1, -0.125f);
        QVERIFY(qAbs(theta1 - (-0.5f + 0.7f * 0.125f * 1.9f)) < 1e-6f);
    }

    void refusesBadInput()
    {
        const OuterOptimizer outer(OuterRule::Nesterov, 0.7f, 0.9f);
        std::vector<float> global(3, 1.0f);
        std::vector<float> velocity;
        Status s = outer.step({}, &global, &velocity);
        QVERIFY2(mentions(s, "no worker"), s.message().c_str());

        const std::vector<float> good(3, 0.0f), shortOne(2, 0.0f);
        const std::array<std::span<const float>, 2> workers { good, shortOne };
        s = outer.step(workers, &global, &velocity);
        QVERIFY2(mentions(s, "worker 1 returned 2 values but the model has 3"), s.message().c_str());
        QCOMPARE(global, std::vector<float>(3, 1.0f)); // untouched on failure

        const std::array<std::span<const float>, 1> one { good };
        velocity.assign(5, 0.0f);
        s = outer.step(one, &global, &velocity);
        QVERIFY2(mentions(s, "the velocity has 5 values but the model has 3"), s.message().c_str());
    }
};

QTEST_GUILESS_MAIN(OuterOptimizerTest)
#include "outer_optimizer_test.moc"
