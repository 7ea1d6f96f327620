package dev.billing.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValueWhateverTheOrder() {
        Spread s = Spread.of(List.of(30.0, 10.0, 20.0));
        assertThat(s.median()).isEqualTo(20.0);
        assertThat(s.min()).isEqualTo(10.0);
        assertThat(s.max()).isEqualTo(30.0);
        assertThat(s.n()).isEqualTo(3);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(Spread.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
    }

    @Test
    void halfWidthIsTheFarthestRepetitionFromTheMedianAsAShareOfIt() {
        // 90 is 10 % below 100, 105 is 5 % above: the wider side counts
        assertThat(Spread.of(List.of(90.0, 100.0, 105.0)).halfWidth()).isCloseTo(0.10, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aRunThatMeasuredNothingIsLeftOut() {
        Spread s = Spread.of(List.of(Double.NaN, 8.0, 12.0));
        assertThat(s.n()).isEqualTo(2);
        assertThat(s.median()).isEqualTo(10.0);
        assertThat(Spread.of(List.of(Double.NaN)).n()).isZero();
        assertThat(Spread.of(List.of()).median()).isNaN();
    }

    @Test
    void describesTheMedianWithItsRangeOnlyWhenThereIsMoreThanOneRun() {
        assertThat(Spread.of(List.of(1_000.0)).describe("%,.0f")).isEqualTo("1,000");
        assertThat(Spread.of(List.of(900.0, 1_000.0, 1_050.0)).describe("%,.0f"))
                .isEqualTo("1,000 (900 .. 1,050, ±10 %, 3 runs)");
    }
}
