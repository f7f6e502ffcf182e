/** HalfCheetah (Gymnasium v5 half_cheetah.xml), written in local coordinates from ../shared/REFERENCE.md 1.6. */

/** One leg segment: a hinge at the body origin and a capsule placed by pos and a rotation about y. */
function segment(name: string, pos: string, range: string, damping: number, stiffness: number, geomPos: string, angle: number, half: number, inner = ''): string {
  return `
      <body name="${name}" pos="${pos}">
        <joint name="${name}" type="hinge" axis="0 1 0" pos="0 0 0" range="${range}" damping="${damping}" stiffness="${stiffness}"/>
        <geom name="${name}" type="capsule" pos="${geomPos}" axisangle="0 1 0 ${angle}" size="0.046 ${half}"/>${inner}
      </body>`;
}

const back = segment('bthigh', '-0.5 0 0', '-0.52 1.05', 6, 240, '0.1 0 -0.13', -3.8, 0.145,
  segment('bshin', '0.16 0 -0.25', '-0.785 0.785', 4.5, 180, '-0.14 0 -0.07', -2.03, 0.15,
    segment('bfoot', '-0.28 0 -0.14', '-0.4 0.785', 3, 120, '0.03 0 -0.097', -0.27, 0.094)));
const front = segment('fthigh', '0.5 0 0', '-1 0.7', 4.5, 180, '-0.07 0 -0.12', 0.52, 0.133,
  segment('fshin', '-0.14 0 -0.24', '-1.2 0.87', 3, 120, '0.065 0 -0.09', -0.6, 0.106,
    segment('ffoot', '0.13 0 -0.18', '-0.5 0.5', 1.5, 60, '0.045 0 -0.07', -0.6, 0.07)));

export const halfCheetahXml = `
<mujoco model="half_cheetah">
  <compiler angle="radian" inertiafromgeom="true" settotalmass="14"/>
  <option gravity="0 0 -9.81" timestep="0.01"/>
  <size memory="256K"/>
  <default>
    <joint armature="0.1" damping="0.01" limited="true" stiffness="8" solimplimit="0 0.8 0.03" solreflimit="0.02 1"/>
    <geom contype="1" conaffinity="0" condim="3" friction="0.4 0.1 0.1" solimp="0.0 0.8 0.01" solref="0.02 1" rgba="0.8 0.6 0.4 1"/>
    <motor ctrllimited="true" ctrlrange="-1 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3" rgba="0.45 0.55 0.5 1"/>
    <body name="torso" pos="0 0 0.7">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso" type="capsule" fromto="-0.5 0 0 0.5 0 0" size="0.046"/>
      <geom name="head" type="capsule" pos="0.6 0 0.1" axisangle="0 1 0 0.87" size="0.046 0.15"/>${back}${front}
    </body>
  </worldbody>
  <actuator>
    <motor joint="bthigh" gear="120"/>
    <motor joint="bshin" gear="90"/>
    <motor joint="bfoot" gear="60"/>
    <motor joint="fthigh" gear="120"/>
    <motor joint="fshin" gear="60"/>
    <motor joint="ffoot" gear="30"/>
  </actuator>
</mujoco>`;
